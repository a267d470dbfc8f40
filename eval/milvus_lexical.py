"""Which lexical matching to use on Milvus: Milvus's own jieba analyzer and BM25 function, or our BM25 weights as sparse vectors.

Run: .venv/bin/python eval/milvus_lexical.py [--home DIR] [--splits dev,test]
(after `reformqa index` and `reformqa index --backend milvus` in DIR).

Three lexical signals, each under the same Retriever (modes bm25 and full):
  local     bm25s over our tokens (the local backend)
  sparse    our BM25 weights stored in Milvus as sparse vectors (the milvus backend)
  analyzer  Milvus's jieba analyzer with our user dictionary and stopwords over the
            normalised text, and Milvus's BM25 function (k1 1.5, b 0.75)
Scores: Hit@1 and MRR@10 of the clause holding a gold span (answerable, single-answer
questions), and the lexical query's latency. Results: docs/milvus.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from reformqa import Project, Settings
from reformqa.answer import analyse, search_request
from reformqa.evaluation import load_questions
from reformqa.normalize import normalize
from reformqa.search import STOPWORDS, Retriever, Where, passage_text


class AnalyzerLexical:
    """The local backend with its lexical queries answered by Milvus's analyzer and BM25 function instead."""

    def __init__(self, local, folder: Path):
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        self.local, self.client = local, MilvusClient(str(folder / "analyzer.db"))
        schema = MilvusClient.create_schema(auto_id=False)
        schema.add_field("pos", DataType.INT64, is_primary=True)
        schema.add_field("region", DataType.VARCHAR, max_length=256)
        analyzer = {"tokenizer": {"type": "jieba", "mode": "search", "dict": list(local.tokenizer.user_words)},
                    "filter": [{"type": "stop", "stop_words": sorted(STOPWORDS)}]}
        schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True, analyzer_params=analyzer)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]))
        indexes = self.client.prepare_index_params()
        indexes.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params={"bm25_k1": 1.5, "bm25_b": 0.75})
        self.client.create_collection("analyzer", schema=schema, index_params=indexes)
        rows = [{"pos": i, "region": c.region or "", "text": normalize(passage_text(c))} for i, c in enumerate(local.clauses)]
        self.client.insert("analyzer", rows)
        self.client.flush("analyzer")

    def __getattr__(self, name: str):
        return getattr(self.local, name)

    def lexical(self, tokens: Sequence[str], k: int, wheres: Sequence[Where | None] = (None,)):
        text = " ".join(t for t in tokens if not t.startswith("~"))  # the words, without our bigrams: Milvus cuts them again
        scores: dict[int, float] = {}
        for where in wheres:
            parts = []
            if where is not None and where.regions:
                parts.append("region in [" + ", ".join(f'"{r}"' for r in where.regions) + "]")
            if where is not None and where.positions is not None:
                if not where.positions:
                    continue
                parts.append(f"pos in {list(where.positions)}")
            found = self.client.search("analyzer", data=[text], anns_field="sparse", limit=k, filter=" and ".join(parts), output_fields=["pos"])
            # Milvus Lite 3.2 returns BM25 scores negated (best first, most negative); Milvus returns them positive.
            scores.update({int(hit["pos"] if "pos" in hit else hit["id"]): abs(float(hit["distance"])) for hit in found[0]})
        chosen = np.array(sorted(scores), dtype=np.int64)
        return chosen, np.array([scores[p] for p in chosen.tolist()], dtype=np.float32)


def _score(retriever: Retriever, stored, questions, mode: str) -> tuple[float, float, list[float]]:
    hit1 = mrr = 0.0
    latencies = []
    for gold in questions:
        query = analyse(gold.question, stored.gazetteer, stored.tokenizer, stored.other_places)
        request = search_request(query, mode)
        t = time.perf_counter()
        retriever.stored.lexical(request.tokens, 200)
        latencies.append(time.perf_counter() - t)
        for rank, hit in enumerate(retriever.search(request, mode=mode, k=10), 1):
            if any(span in hit.clause.text for span in gold.spans):
                hit1 += rank == 1
                mrr += 1 / rank
                break
    return hit1 / len(questions), mrr / len(questions), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=".")
    parser.add_argument("--splits", default="dev,test")
    args = parser.parse_args()
    home = Path(args.home)
    local = Project(Settings.from_env(home=home, backend="local"))
    milvus = Project(Settings.from_env(home=home, backend="milvus"), embedder=local.embedder)
    with tempfile.TemporaryDirectory(prefix="reformqa-analyzer-") as tmp:
        t = time.perf_counter()
        analyzer = AnalyzerLexical(local.retriever().stored, Path(tmp))
        print(f"analyzer collection: {len(local.retriever().stored.clauses)} clauses in {time.perf_counter() - t:.1f} s")
        backends = {"local": local.retriever().stored, "sparse": milvus.retriever().stored, "analyzer": analyzer}
        print(f"{'split':5} {'lexical':9} {'mode':5} {'n':>4} {'Hit@1':>6} {'MRR@10':>7} {'lexical p50 ms':>15} {'p95 ms':>7}")
        for split in args.splits.split(","):
            questions = [q for q in load_questions(home / "eval" / "questions.jsonl", split) if q.answerable and not q.is_list]
            for name, backend in backends.items():
                retriever = Retriever(backend, local.embedder)
                for mode in ("bm25", "full"):
                    hit1, mrr, latencies = _score(retriever, local.retriever().stored, questions, mode)
                    p50, p95 = (np.percentile(latencies, q) * 1e3 for q in (50, 95))
                    print(f"{split:5} {name:9} {mode:5} {len(questions):4} {hit1:6.3f} {mrr:7.3f} {p50:15.1f} {p95:7.1f}")


if __name__ == "__main__":
    main()
