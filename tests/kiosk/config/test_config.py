"""The staff config file: errors by key and line, partial files, lookup order, the CLI."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import ROOT

from kiosk.cli import main
from kiosk.config import loader as configfile
from kiosk.config.errors import ConfigError
from kiosk.config.loader import (
    ConfigFileError,
    ConfigIssue,
    dump_toml,
    find_config,
    key_lines,
    load_config,
    load_config_with_source,
    packaged_default_path,
    read_config_file,
    validate_text,
)
from kiosk.config.schema import BackstepConfig

DEFAULT_TOML = packaged_default_path()
EXAMPLES = sorted((ROOT / "config" / "examples").glob("*.toml"))


def write(tmp_path: Path, text: str, name: str = "backstep.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only_issue(tmp_path: Path, text: str) -> tuple[ConfigIssue, str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigFileError) as info:
        read_config_file(path)
    issues = info.value.issues
    assert len(issues) == 1, [i.format(path) for i in issues]
    return issues[0], issues[0].format(path)


# --------------------------------------------------------------------------- bad files


BAD_CONFIGS: list[tuple[str, str, str, int, str]] = [
    # (case, file text, dotted key, line, text the error line must contain)
    ("wrong type", '[camera]\nwidth = "wide"\n', "camera.width", 2, "an integer from 160 to 1920"),
    (
        "unknown key suggests the right one",
        '[camera]\nfps = 30\nsourse = "usb"\n',
        "camera.sourse",
        3,
        "did you mean 'source'?",
    ),
    ("unknown section", "[camrea]\nwidth = 640\n", "camrea", 1, "did you mean 'camera'?"),
    ("out of range", "[gpio]\nbuzzer = 40\n", "gpio.buzzer", 2, "from 0 to 27"),
    ("duplicate pins", "[gpio]\nstart = 5\nstop = 5\n", "gpio.stop", 3, "GPIO5 is used twice"),
    (
        "a pin clashing with a default pin names the one in the file",
        "[gpio]\n\nbuzzer = 17\n",
        "gpio.buzzer",
        3,
        "GPIO17 is used twice",
    ),
    ("zone x0 > x1", "[zone]\nx0 = 0.8\nx1 = 0.3\n", "zone.x1", 3, "x0 < x1"),
    ("zone outside the image", "[zone]\nx1 = 1.2\n", "zone.x1", 2, "from 0 to 1"),
    (
        "thresholds in the wrong order",
        "[posture]\nforward_warn_deg = 15\nforward_alert_deg = 12\n",
        "posture.forward_alert_deg",
        3,
        "must be greater than forward_warn_deg",
    ),
    (
        "cadence limits in the wrong order",
        "[gait]\ncadence_min_spm = 130\n",
        "gait.cadence_min_spm",
        2,
        "cadence_max_spm must be greater",
    ),
    (
        "a limit across sections",
        "[posture]\nabsolute_forward_limit_deg = 50\n",
        "posture.absolute_forward_limit_deg",
        2,
        "safety.fall_lean_deg must be greater",
    ),
    ("wrong section type", "camera = 5\n", "camera", 1, "must be a table"),
    ("inline table", 'camera = { source = "webcam" }\n', "camera.source", 1, '"usb"'),
    ("dotted key", "\ncamera.width = 5000\n", "camera.width", 2, "camera.width = 5000"),
    ("true is not a pin", "[gpio]\nled = true\n", "gpio.led", 2, '"off"'),
    ("true is not a number", "[model]\nnum_poses = true\n", "model.num_poses", 2, "not a number"),
    ("false is not a rate", "[camera]\nfps = false\n", "camera.fps", 2, "from 5 to 60"),
    ("file source needs a file", '[camera]\nsource = "file"\n', "camera.source", 2, "camera.file"),
    (
        "a program block missing its minutes",
        '[[programs.easy]]\nkind = "backward"\nminutes = 2\n\n[[programs.easy]]\nkind = "rest"\n',
        "programs.easy[2].minutes",
        5,
        "required key is missing",
    ),
    (
        "a program block with an unknown kind",
        '[[programs.easy]]\nkind = "jog"\nminutes = 2\n',
        "programs.easy[1].kind",
        2,
        '"backward"',
    ),
    ("staff pin pattern", '[staff]\npin = "12ab"\n', "staff.pin", 2, "[0-9]{4,8}"),
    ("log level", '[logging]\nlevel = "LOUD"\n', "logging.level", 2, '"DEBUG"'),
]


@pytest.mark.parametrize(
    ("text", "key", "line", "fragment"),
    [c[1:] for c in BAD_CONFIGS],
    ids=[c[0] for c in BAD_CONFIGS],
)
def test_a_bad_config_names_the_key_line_and_what_is_allowed(
    tmp_path: Path, text: str, key: str, line: int, fragment: str
) -> None:
    issue, formatted = only_issue(tmp_path, text)
    assert (issue.key, issue.line) == (key, line)
    assert formatted.startswith(f"{tmp_path / 'backstep.toml'}:{line}: {key}")
    assert fragment in formatted
    assert "(allowed: " in formatted


def test_a_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    issue, formatted = only_issue(tmp_path, "[camera]\nwidth = = 3\n")
    assert (issue.line, issue.column) == (2, 9)
    assert formatted.startswith(f"{tmp_path / 'backstep.toml'}:2:9: TOML syntax error")


def test_a_duplicate_key_is_a_syntax_error_on_its_line(tmp_path: Path) -> None:
    issue, _ = only_issue(tmp_path, "[camera]\nwidth = 640\nwidth = 800\n")
    assert issue.line == 3


def test_every_error_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[camera]\nwidth = "x"\n[gpio]\nstop = 17\n[display]\nfps = 0\n')
    with pytest.raises(ConfigFileError) as info:
        read_config_file(path)
    assert [(i.key, i.line) for i in info.value.issues] == [
        ("camera.width", 2),
        ("gpio.stop", 4),
        ("display.fps", 6),
    ]


def test_a_config_error_is_a_value_error_and_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[camera]\nfps = 1000\n")
    with pytest.raises(ValueError):
        load_config(path)
    with pytest.raises(ConfigError, match=r"backstep\.toml:2: camera\.fps = 1000"):
        load_config(path)


def test_a_file_that_is_not_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[station]\nname = "Caf\xe9"\n')
    with pytest.raises(ConfigFileError) as info:
        read_config_file(path)
    assert info.value.issues[0].line == 2


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="cannot read"):
        read_config_file(tmp_path / "missing.toml")


# --------------------------------------------------------------------------- key -> line


def test_key_lines_follows_tables_arrays_of_tables_and_quoted_keys() -> None:
    text = "\n".join(
        [
            "# comment = not a key",  # 1
            "[camera]",  # 2
            "width = 640  # trailing = comment",  # 3
            "list = [1, 2,",  # 4
            "  3]",  # 5
            'notes = """',  # 6
            "x = 1",  # 7 (inside a string)
            '"""',  # 8
            "[ 'station' ]",  # 9
            '"name" = "a # b"',  # 10
            "[[programs.easy]]",  # 11
            "kind = 'rest'",  # 12
            "[[programs.easy]]",  # 13
            "minutes = 3",  # 14
            "[gpio]",  # 15
            "pins.start = 5",  # 16
        ]
    )
    lines = key_lines(text)
    assert lines[("camera", "width")] == 3
    assert lines[("camera", "list")] == 4
    assert ("camera", "x") not in lines
    assert lines[("station",)] == 9
    assert lines[("station", "name")] == 10
    assert lines[("programs", "easy")] == 11
    assert lines[("programs", "easy", 0, "kind")] == 12
    assert lines[("programs", "easy", 1, "minutes")] == 14
    assert lines[("gpio", "pins", "start")] == 16
    assert ("comment",) not in lines


# --------------------------------------------------------------------------- partial files


def test_a_partial_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    config = read_config_file(write(tmp_path, "[camera]\nwidth = 1280\n"))
    assert config.camera.width == 1280
    assert config.camera.height == BackstepConfig().camera.height
    assert config.model_dump(exclude={"camera"}) == BackstepConfig().model_dump(exclude={"camera"})


def test_a_new_program_is_added_and_a_same_named_one_replaced(tmp_path: Path) -> None:
    added = read_config_file(
        write(tmp_path, '[[programs.quick]]\nkind = "backward"\nminutes = 1\n', "a.toml")
    )
    assert set(added.programs) == {"starter", "quick"}
    replaced = read_config_file(
        write(tmp_path, '[[programs.starter]]\nkind = "backward"\nminutes = 4\n', "b.toml")
    )
    assert [(b.kind, b.minutes) for b in replaced.programs["starter"]] == [("backward", 4)]


def test_off_disables_a_gpio_part_and_an_empty_path_means_not_set(tmp_path: Path) -> None:
    config = read_config_file(
        write(tmp_path, '[gpio]\nbuzzer = "off"\nled = false\n[model]\npath = ""\n')
    )
    assert (config.gpio.buzzer, config.gpio.led, config.model.path) == (None, None, None)


def test_config_show_output_validates_back_to_the_same_config(tmp_path: Path) -> None:
    config = read_config_file(EXAMPLES[0]) if EXAMPLES else BackstepConfig()
    config = config.model_copy(update={"gpio": config.gpio.model_copy(update={"led": None})})
    assert validate_text(dump_toml(config), "shown.toml", merge=False) == config


# --------------------------------------------------------------------------- lookup order


@pytest.fixture
def isolated_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No env, a per-test /etc path and user config dir."""
    monkeypatch.delenv("BACKSTEP_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(configfile, "SYSTEM_CONFIG_PATH", tmp_path / "etc" / "backstep.toml")
    return tmp_path


def test_lookup_falls_back_to_the_packaged_default(isolated_lookup: Path) -> None:
    assert find_config() == (packaged_default_path(), "default")
    assert load_config() == BackstepConfig()


def test_lookup_order_is_flag_env_system_user_default(
    isolated_lookup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = isolated_lookup / "xdg" / "backstep" / "backstep.toml"
    user.parent.mkdir(parents=True)
    user.write_text("[camera]\nfps = 10\n")
    assert load_config_with_source().source == "user"
    assert load_config().camera.fps == 10

    system = configfile.SYSTEM_CONFIG_PATH
    system.parent.mkdir(parents=True)
    system.write_text("[camera]\nfps = 20\n")
    assert (load_config_with_source().source, load_config().camera.fps) == ("system", 20)

    env = write(isolated_lookup, "[camera]\nfps = 25\n", "env.toml")
    monkeypatch.setenv("BACKSTEP_CONFIG", str(env))
    loaded = load_config_with_source()
    assert (loaded.source, loaded.path, loaded.config.camera.fps) == ("BACKSTEP_CONFIG", env, 25)

    flag = write(isolated_lookup, "[camera]\nfps = 15\n", "flag.toml")
    assert load_config_with_source(flag).source == "--config"
    assert load_config(flag).camera.fps == 15


def test_a_named_file_that_is_missing_is_an_error_not_the_defaults(
    isolated_lookup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTEP_CONFIG", str(isolated_lookup / "nope.toml"))
    with pytest.raises(ConfigFileError, match=r"nope\.toml: cannot read"):
        load_config()


# --------------------------------------------------------------------------- CLI


def test_config_check_exits_0_and_prints_ok_for_a_valid_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[camera]\nwidth = 800\n")
    result = CliRunner().invoke(main, ["config", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"OK: {path}"


def test_config_check_exits_1_and_prints_file_line_key_value(tmp_path: Path) -> None:
    path = write(tmp_path, "[gpio]\nstart = 17\n\nstop = 17\n")
    result = CliRunner().invoke(main, ["config", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4: gpio.stop = 17: GPIO17 is used twice" in result.output
    assert '(allowed: an integer from 0 to 27, or "off")' in result.output


def test_config_check_without_a_file_checks_the_one_the_kiosk_would_use(
    isolated_lookup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = write(isolated_lookup, "[display]\nfps = 5\n")
    monkeypatch.setenv("BACKSTEP_CONFIG", str(bad))
    result = CliRunner().invoke(main, ["config", "check"])
    assert result.exit_code == 1
    assert f"{bad}:2: display.fps = 5" in result.output


def test_config_show_prints_the_effective_config_and_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[camera]\nwidth = 1024\n")
    result = CliRunner().invoke(main, ["config", "show", "--config", str(path)])
    assert result.exit_code == 0, result.output
    header, _, body = result.output.partition("\n")
    assert str(path) in header and "--config" in header
    data: dict[str, Any] = tomllib.loads(body)
    assert data["camera"]["width"] == 1024
    assert BackstepConfig.model_validate(data) == read_config_file(path)


def test_config_show_of_an_invalid_file_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, "[camera]\nwidth = 1\n")
    result = CliRunner().invoke(main, ["config", "show", "--config", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: camera.width = 1" in result.output
