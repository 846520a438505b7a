"""Tell media from other files by their first bytes, before FFmpeg is asked to open them.

FFmpeg will try hard to read almost anything (a text file can pass for a subtitle stream, an image for a
one-frame video), so a renamed PDF or a page of notes would otherwise fail late and with a vague message.
A short table of signatures names what the file really is.
"""

from __future__ import annotations

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
)


def read_head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def what_else(head: bytes) -> str | None:
    """Name the non-media format these first bytes belong to, or ``None`` if they may be media."""
    for offset, signature, description in _NOT_MEDIA:
        if head[offset : offset + len(signature)] == signature:
            return description
    if head and _is_text(head) and not _media_signature(head):
        return "a text file"
    return None


def looks_like_media(path: Path, head: bytes) -> bool:
    """Whether a file met while walking a folder should be transcribed: a media extension or signature."""
    if path.suffix.lower() in MEDIA_EXTENSIONS:
        return True
    return what_else(head) is None and _media_signature(head)


def _media_signature(head: bytes) -> bool:
    return any(head[offset : offset + len(sig)] == sig for offset, sig in _MEDIA) or _is_mpeg_audio(head)


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
    after writing its header) would otherwise pass for a complete, shorter one. ``None`` when the header is
    not plain PCM WAV, or declares no length (0 or 0xFFFFFFFF: streaming writers that never fill it in).
    """
    import struct

    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    offset, byte_rate = 12, 0
    while offset + 8 <= len(head):
        chunk, size = head[offset : offset + 4], struct.unpack("<I", head[offset + 4 : offset + 8])[0]
        if chunk == b"fmt " and offset + 20 <= len(head):  # byte rate: bytes 16-19 of the chunk
            byte_rate = struct.unpack("<I", head[offset + 16 : offset + 20])[0]
        if chunk == b"data":
            if byte_rate <= 0 or size in (0, 0xFFFFFFFF):
                return None
            return size / byte_rate
        offset += 8 + size + (size & 1)
    return None
