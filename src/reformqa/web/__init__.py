"""Shown in a browser: the Gradio app, its handlers, HTML rendering, the server around it and its limits, feedback log and UI texts."""

from .app import build_app
from .feedback import FEEDBACK_FILE, Feedback, FeedbackLog
from .handlers import ChatService, CompareReply, Exchange, Reply, Session
from .launch import DEFAULT_HOST, DEFAULT_PORT, launch
from .ratelimit import RateLimiter

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "FEEDBACK_FILE",
    "ChatService",
    "CompareReply",
    "Exchange",
    "Feedback",
    "FeedbackLog",
    "RateLimiter",
    "Reply",
    "Session",
    "build_app",
    "launch",
]
