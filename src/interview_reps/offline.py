"""Nothing leaves the computer: the telemetry switches of the libraries reps loads, turned off before
any of them is imported (``import interview_reps`` does it first)."""

from __future__ import annotations

import os

# Each is read by its library when it starts, so it must be set before the library is imported.
TELEMETRY_OFF = {
    # onnxruntime (loaded by faster-whisper for Silero VAD) ships Microsoft's 1DS telemetry on Linux
    # since 1.2x: without this it writes a device id and an event queue under
    # ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and looks up mobile.events.data.microsoft.com.
    # 1.32 reads ORT_DISABLE_TELEMETRY (strings of libonnxruntime.so; checked by tests/test_offline.py).
    "ORT_DISABLE_TELEMETRY": "1",
    # The name onnxruntime's main branch reads (core/platform/telemetry_environment.h), for newer wheels.
    "ORT_TELEMETRY_DISABLED": "1",
    # huggingface_hub sends usage pings from some download paths; reps downloads only a model the user
    # names with --model, and never needs the pings.
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # The cross-tool convention (consoledonottrack.com), honoured by huggingface_hub and others.
    "DO_NOT_TRACK": "1",
}


def no_telemetry() -> None:
    """Turn every known telemetry switch off in this process and the processes it starts."""
    os.environ.update(TELEMETRY_OFF)
