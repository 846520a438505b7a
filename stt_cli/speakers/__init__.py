"""Speakers by name: a voice library of enrolled people, and matching a recording's speakers against it.

- :mod:`stt_cli.speakers.voices`: voiceprints, embedded with the bundled CAM++ speaker encoder;
- :mod:`stt_cli.speakers.library`: the library folder (one file per person: embeddings and provenance, never
  audio);
- :mod:`stt_cli.speakers.match`: one-to-one matching of a transcript's speakers against the enrolled voices.
"""

from stt_cli.speakers.library import Enrolment, LibraryProblem, Voice, VoiceLibrary
from stt_cli.speakers.match import MATCH_THRESHOLD, Match, match_voices, name_speakers, solo_spans
from stt_cli.speakers.voices import VoiceEncoder, Voiceprint

__all__ = [
    "MATCH_THRESHOLD",
    "Enrolment",
    "LibraryProblem",
    "Match",
    "Voice",
    "VoiceEncoder",
    "VoiceLibrary",
    "Voiceprint",
    "match_voices",
    "name_speakers",
    "solo_spans",
]
