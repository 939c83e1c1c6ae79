"""interview-reps: practise interview answers out loud, offline, and see honestly how each rep went.

The library in a few lines (nothing heavy is imported until it is used)::

    import interview_reps
    result = interview_reps.analyze_file("answer.m4a")          # -> Result
    lib = interview_reps.Library("~/reps")
    rep = lib.save(result, question_id="tell-me-about-yourself")  # -> Rep
    cmp = interview_reps.compare(lib.reps(question_id="tell-me-about-yourself"))
    cmp.metrics["wpm"].trend                                     # "improved", "regressed", ...
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .offline import no_telemetry

# Before any submodule can import onnxruntime or huggingface_hub: their telemetry reads its switch once.
no_telemetry()

__version__ = "0.1.0"

# Public name -> the module that defines it, imported on first use (PEP 562).
_EXPORTS = {
    "analyze_file": "pipeline",
    "analyze_files": "pipeline",
    "analyze_audio": "pipeline",
    "Library": "store",
    "Result": "models",
    "Rep": "models",
    "Metrics": "models",
    "compare": "comparison",
    "Comparison": "comparison",
    "Question": "questions",
    "get_question": "questions",
    "load_questions": "questions",
    "pick_follow_up": "questions",
    "FollowUp": "questions",
    "Content": "models",
    "RepsError": "errors",
    "AudioError": "errors",
    "ModelError": "errors",
    "DeviceError": "errors",
    "QuestionError": "errors",
    "LibraryError": "errors",
}

__all__ = [
    "AudioError",
    "Comparison",
    "Content",
    "DeviceError",
    "FollowUp",
    "Library",
    "LibraryError",
    "Metrics",
    "ModelError",
    "Question",
    "QuestionError",
    "Rep",
    "RepsError",
    "Result",
    "__version__",
    "analyze_audio",
    "analyze_file",
    "analyze_files",
    "compare",
    "get_question",
    "load_questions",
    "pick_follow_up",
]

if TYPE_CHECKING:
    from .comparison import Comparison, compare
    from .errors import AudioError, DeviceError, LibraryError, ModelError, QuestionError, RepsError
    from .models import Content, Metrics, Rep, Result
    from .pipeline import analyze_audio, analyze_file, analyze_files
    from .questions import FollowUp, Question, get_question, load_questions, pick_follow_up
    from .store import Library


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
