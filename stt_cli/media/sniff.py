"""Tell media from other files by their first bytes, before FFmpeg is asked to open them.

FFmpeg will try hard to read almost anything (a text file can pass for a subtitle stream, an image for a
one-frame video), so a renamed PDF or a page of notes would otherwise fail late and with a vague message.
A short table of signatures names what the file really is.
"""

from __future__ import annotations

import stat
from pathlib import Path

HEAD_BYTES = 4096  # bytes read to decide

# Extensions stt treats as media when it walks a folder (content is checked as well; see ``looks_like_media``).
MEDIA_EXTENSIONS = frozenset(
    {
        ".wav",
        ".wave",
        ".mp3",
        ".mp2",
        ".flac",
        ".m4a",
        ".m4b",
        ".aac",
        ".ogg",
        ".oga",
        ".opus",
        ".wma",
        ".aif",
        ".aiff",
        ".aifc",
        ".amr",
        ".ac3",
        ".caf",
        ".au",
        ".mka",
        ".webm",
        ".mp4",
        ".m4v",
        ".mkv",
        ".mov",
        ".avi",
        ".wmv",
        ".asf",
        ".flv",
        ".3gp",
        ".3g2",
        ".mpg",
        ".mpeg",
        ".ts",
        ".mts",
        ".m2ts",
        ".vob",
        ".dv",
        ".gsm",
        # Lossless and archival formats that FFmpeg decodes (found missing: WavPack, TTA and DTS files were
        # passed over by a folder walk although they transcribe fine when named).
        ".wv",
        ".tta",
        ".ape",
        ".tak",
        ".shn",
        ".mpc",
        ".dts",
        ".eac3",
        ".mlp",
        ".thd",
        ".mp1",
        ".mpa",
        ".w64",
        ".rf64",
        ".bwf",
        ".voc",
        ".spx",
        ".awb",
        ".dss",  # Olympus dictation recorders
        ".ra",
        ".rm",
        ".rmvb",
        ".m4r",
        ".weba",
        ".f4a",
        ".f4v",
        ".ogv",
        ".mxf",
        ".nut",
        ".qt",
    }
)

# (offset, signature, description) of formats that are not audio or video.
_NOT_MEDIA: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (0, b"{\\rtf", "an RTF document"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF8", "a GIF image"),
    (0, b"BM", "a BMP image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"\x7fELF", "a program (ELF executable)"),
    (0, b"MZ", "a Windows program"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!", "a RAR archive"),
    (0, b"SQLite format 3", "an SQLite database"),
)

# (offset, signature) of containers that hold audio or video.
_MEDIA: tuple[tuple[int, bytes], ...] = (
    (0, b"RIFF"),  # WAV, AVI
    (0, b"ID3"),  # MP3 with a tag
    (0, b"fLaC"),
    (0, b"OggS"),  # Ogg Vorbis / Opus / FLAC
    (4, b"ftyp"),  # MP4, M4A, MOV, 3GP
    (0, b"\x1aE\xdf\xa3"),  # Matroska, WebM
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),  # ASF: WMA, WMV
    (0, b"FORM"),  # AIFF
    (0, b"#!AMR"),
    (0, b"caff"),
    (0, b".snd"),
    (0, b"FLV"),
    (0, b"\x00\x00\x01\xba"),  # MPEG program stream
    (0, b"wvpk"),  # WavPack
    (0, b"TTA1"),
    (0, b"MAC "),  # Monkey's Audio
    (0, b"MPCK"),  # Musepack SV8
    (0, b"MP+"),  # Musepack SV7
    (0, b"tBaK"),  # TAK
    (0, b"ajkg"),  # Shorten
    (0, b"RF64"),
    (0, b"BW64"),
    (0, b"riff\x2e\x91\xcf\x11"),  # Sony Wave64
    (0, b".RMF"),  # RealMedia
    (0, b"Creative Voice File"),
    (0, b"\x7f\xfe\x80\x01"),  # DTS core
    (0, b"\x0b\x77"),  # AC-3, E-AC-3
    (0, b"\x06\x0e\x2b\x34"),  # MXF
    (1, b"dss"),  # Olympus DSS
    (0, b"NUT\x00"),
)


def read_head(path: Path) -> bytes:
    from stt_cli.fileio import open_input

    with open_input(path) as f:
        return f.read(HEAD_BYTES)


def what_else(head: bytes) -> str | None:
    """Name the non-media format these first bytes belong to, or ``None`` if they may be media."""
    for offset, signature, description in _NOT_MEDIA:
        if head[offset : offset + len(signature)] == signature:
            return description
    if head and _is_text(head) and not _media_signature(head):
        return "a text file"
    return None


def is_media_content(head: bytes) -> bool:
    """Whether these first bytes are a recording's, whatever the file is named: a media signature in binary
    data (a transcript that happens to begin with "FORM" or "MAC " is text, not media)."""
    return _media_signature(head) and not _is_text(head)


def looks_like_media(path: Path, head: bytes) -> bool:
    """Whether a file met while walking a folder should be transcribed: a media extension or signature."""
    if path.suffix.lower() in MEDIA_EXTENSIONS:
        return True
    return what_else(head) is None and _media_signature(head)


def _media_signature(head: bytes) -> bool:
    return (
        any(head[offset : offset + len(sig)] == sig for offset, sig in _MEDIA)
        or _is_mpeg_audio(head)
        or _is_transport_stream(head)
    )


def _is_transport_stream(head: bytes) -> bool:
    # MPEG-TS (camera .mts/.m2ts recordings without an extension): a sync byte every 188 bytes.
    return len(head) > 376 and head[0] == head[188] == head[376] == 0x47


def _is_mpeg_audio(head: bytes) -> bool:
    # An MP3 without an ID3 tag starts with an 11-bit frame sync.
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the window is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
    return printable >= 0.95 * max(len(text), 1)


def wav_declared_seconds(head: bytes) -> float | None:
    """For a RIFF/WAVE file: the seconds of audio its data chunk declares.

    FFmpeg clamps a WAV's length to what the file holds, so a recording cut short (a recorder that lost power
    after writing its header) would otherwise pass for a complete, shorter one. The length is the data size
    over the frame size (channels x bytes per sample) and the sample rate, the values FFmpeg itself decodes
    with: the header's own "byte rate" field is not used, since writers get it wrong (one a tenth of the truth
    made a good recording look ten times too long). ``None`` when the header is not plain PCM WAV, or declares
    no length (0 or 0xFFFFFFFF: streaming writers that never fill it in).
    """
    import struct

    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    offset, frame_bytes, rate = 12, 0, 0
    while offset + 8 <= len(head):
        chunk, size = head[offset : offset + 4], struct.unpack("<I", head[offset + 4 : offset + 8])[0]
        if chunk == b"fmt " and offset + 24 <= len(head):
            channels, rate = struct.unpack("<HI", head[offset + 10 : offset + 16])
            block_align, bits = struct.unpack("<HH", head[offset + 20 : offset + 24])
            frame_bytes = block_align or channels * ((bits + 7) // 8)
        if chunk == b"data":
            if frame_bytes <= 0 or rate <= 0 or size in (0, 0xFFFFFFFF):
                return None
            return size / frame_bytes / rate
        offset += 8 + size + (size & 1)
    return None


def is_recording(path: Path) -> bool:
    """Whether ``path`` is a regular file whose first bytes are media (a recording, whatever it is called)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        return is_media_content(read_head(path))
    except OSError:
        return False
