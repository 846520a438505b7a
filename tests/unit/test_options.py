import pytest

from stt_cli.cli.parse import parse_formats
from stt_cli.errors import UsageError
from stt_cli.options import AsrOptions, OutputFormat, OutputOptions


def test_formats_accept_comma_lists_and_repeats_without_duplicates():
    assert parse_formats(["json,srt", "vtt", "srt"]) == (OutputFormat.json, OutputFormat.srt, OutputFormat.vtt)


def test_all_means_every_format():
    transcripts = (OutputFormat.json, OutputFormat.srt, OutputFormat.vtt, OutputFormat.txt)
    assert parse_formats(["all"]) == transcripts
    assert parse_formats(["srt,ALL"]) == (OutputFormat.srt, OutputFormat.json, OutputFormat.vtt, OutputFormat.txt)
    assert parse_formats(["all", "rttm"]) == (*transcripts, OutputFormat.rttm)


def test_unknown_format_is_a_usage_error_naming_the_choices():
    with pytest.raises(UsageError, match=r"pdf.*json, srt, vtt, txt, rttm, docx"):
        parse_formats(["srt,pdf"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": " "},
        {"language": "klingon"},
        {"language": "e1"},
        {"language": "xx"},
        {"compute_type": "int4"},
        {"threads": -1},
        {"threads": 18446744073709551617},
        {"beam_size": 0},
    ],
)
def test_bad_asr_options_fail_on_construction(kwargs):
    with pytest.raises(UsageError):
        AsrOptions(**kwargs)


@pytest.mark.parametrize("kwargs", [{"formats": ()}, {"max_line_width": 5}, {"max_line_count": 0}])
def test_bad_output_options_fail_on_construction(kwargs):
    with pytest.raises(UsageError):
        OutputOptions(**kwargs)


def test_threads_default_to_the_cpus_this_process_may_use():
    import os
    import subprocess
    import sys

    assert AsrOptions().cpu_threads == len(os.sched_getaffinity(0))
    assert AsrOptions(threads=3).cpu_threads == 3
    # Under `taskset -c 0` (a scheduler's one-core slot) it is 1, whatever the machine has.
    code = (
        "import os; os.sched_setaffinity(0, {0})\n"
        "from stt_cli.options import AsrOptions; print(AsrOptions().cpu_threads)"
    )
    pinned = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert pinned.stdout.strip() == "1"


@pytest.mark.parametrize("written", ["id", "ind", "in", "id-ID", "id_ID", "Indonesian", "bahasa indonesia", "IND"])
def test_every_way_of_writing_indonesian_becomes_whispers_code(written):
    assert AsrOptions(language=written).language == "id"


@pytest.mark.parametrize("written, code", [("en-US", "en"), ("zh-Hant-TW", "zh"), ("jv", "jw"), ("iw", "he"),
                                           ("fil", "tl"), ("yue-HK", "yue"), ("Malay", "ms")])  # fmt: skip
def test_bcp47_tags_iso_codes_and_names_map_to_whisper_codes(written, code):
    assert AsrOptions(language=written).language == code


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e400", "12x", ""])
def test_sizes_that_are_no_number_of_bytes_are_usage_errors(text):
    from stt_cli.cli.parse import parse_size

    with pytest.raises(UsageError, match="is not a size"):
        parse_size(text)


def test_library_messages_name_parameters_and_the_cli_shows_its_flags():
    from stt_cli.cli.display import with_flags

    with pytest.raises(UsageError) as raised:
        AsrOptions(beam_size=0)
    message = str(raised.value)
    assert message.startswith("`beam_size` must be between 1 and 20") and "--" not in message
    assert with_flags(message).startswith("--beam-size must be between 1 and 20")
    assert with_flags("give `token` or write `summary`") == "give --hf-token or write --summary-json"
