"""Regenerate the sample documents the tests read (run from the repository root).

    .venv/bin/python tests/samples/make_samples.py

measures.pdf is printed from measures_source.html by Debian's chromium
(needs fonts-noto-cjk); notice.docx is written with python-docx. Both are
committed, so the tests need neither tool; rerun this only to change them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent

DOCX_PARAGRAPHS = [
    "示范市人民政府办公厅关于加快科技成果转化的实施意见",
    "示政办〔2025〕8号",
    "各区人民政府,市政府各部门:",
    "为加快科技成果转化,提出如下意见。",
    "一、总体要求",
    "到2027年,全市技术合同成交额达到500亿元。",
    "二、主要任务",
    "（一）赋予科研人员职务科技成果所有权。试点单位可赋予科研人员不低于60%的职务科技成果所有权;",
    "（二）建设概念验证中心。支持高校建设概念验证中心,每个中心给予最高200万元补助。",
    "1. 概念验证中心应当面向全市开放服务;",
    "2. 服务收费实行政府指导价。",
    "三、保障措施",
    "各部门要加强协同,确保各项措施落地见效。",
    "示范市人民政府办公厅",
    "2025年3月5日",
]


def main() -> None:
    import docx

    document = docx.Document()
    for paragraph in DOCX_PARAGRAPHS:
        document.add_paragraph(paragraph)
    document.core_properties.created = None
    document.save(str(HERE / "notice.docx"))
    subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
            f"--print-to-pdf={HERE / 'measures.pdf'}", (HERE / "measures_source.html").as_uri(),
        ],
        check=True,
        timeout=120,
    )


if __name__ == "__main__":
    main()
