import pytest

from stt_cli.errors import UsageError
from stt_cli.options import AsrOptions, OutputFormat, OutputOptions, parse_formats


def test_formats_accept_comma_lists_and_repeats_without_duplicates():
    assert parse_formats(["json,srt", "vtt", "srt"]) == (OutputFormat.json, OutputFormat.srt, OutputFormat.vtt)


def test_all_means_every_format():
    transcripts = (OutputFormat.json, OutputFormat.srt, OutputFormat.vtt, OutputFormat.txt)
    assert parse_formats(["all"]) == transcripts
    assert parse_formats(["srt,ALL"]) == (OutputFormat.srt, OutputFormat.json, OutputFormat.vtt, OutputFormat.txt)
    assert parse_formats(["all", "rttm"]) == (*transcripts, OutputFormat.rttm)


def test_unknown_format_is_a_usage_error_naming_the_choices():
    with pytest.raises(UsageError, match=r"docx.*json, srt, vtt, txt, rttm"):
        parse_formats(["srt,docx"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": " "},
        {"language": "english"},
        {"language": "e1"},
        {"compute_type": "int4"},
        {"threads": -1},
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
    assert AsrOptions().cpu_threads >= 1
    assert AsrOptions(threads=3).cpu_threads == 3
