import pytest

from govner.config import ConfigError, config_to_dict, load_config


def test_default_config_loads(tmp_path):
    from helpers import ROOT

    cfg = load_config(ROOT / "configs" / "default.yaml")
    assert cfg.name == "default"
    assert cfg.data.annotations == ["annotations/seed_gold.json"]
    assert config_to_dict(cfg)["data"]["max_len"] == cfg.data.max_len


def test_overrides_are_parsed_as_yaml(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("data:\n  max_len: 64\n", encoding="utf-8")
    cfg = load_config(path, ["data.dev_fraction=0.5", "data.dev_ids=[a, b]"])
    assert (cfg.name, cfg.data.max_len, cfg.data.dev_fraction, cfg.data.dev_ids) == ("x", 64, 0.5, ["a", "b"])


@pytest.mark.parametrize(
    "content, overrides, message",
    [
        ("data:\n  max_lenn: 3\n", [], r"x.yaml.data: unknown key\(s\) \['max_lenn'\]"),
        ("data:\n  max_len: many\n", [], "x.yaml.data.max_len: expected int"),
        ("data: [1]\n", [], "expected a mapping"),
        ("data: {\n", [], "invalid YAML"),
        ("", ["data.max_len"], "not of the form"),
        ("corpus:\n  msra_sentences: 10\n", ["model.auxiliary_labels=[LOC]"], "none among model.labels"),
        ("corpus:\n  msra_sentences: 10\n", ["model.auxiliary_labels=[PERSON]"], r"no outside corpus marks"),
        ("", ["model.auxiliary_labels=[PER]"], "needs MSRA sentences"),
        ("corpus:\n  msra_sentences: 10\n", ["model.auxiliary_labels=[PER, PER]"], "each once"),
        ("corpus:\n  msra_sentences: 10\n  msra_eval: true\n", ["model.auxiliary_labels=[PER]"], "msra_eval"),
    ],
)
def test_bad_configs_name_the_file_and_key(tmp_path, content, overrides, message):
    path = tmp_path / "x.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path, overrides)
