"""Live transcription (``stt live``): audio from a microphone, a pipe or a file still being written, text
committed as it is heard, and a final transcript through the same writers as ``stt transcribe``.

Rooms: ``sources`` and ``microphone`` (audio in), ``agreement`` and ``online`` (recognition while the audio
grows), ``lines`` (committed words into lines), ``recording`` (the audio kept), ``session`` (one session's
loop), ``job`` (a session from options to written files).
"""
