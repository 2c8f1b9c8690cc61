import json

import pytest

from detector.config import DEFAULT_CONFIG_PATH, DetectorConfig, config_from_dict, load_config
from detector.errors import ConfigError


def test_shipped_config_is_the_documented_defaults():
    # config.json and the model's defaults are one truth; drift between them is a bug.
    assert json.loads(DEFAULT_CONFIG_PATH.read_text()) == DetectorConfig().model_dump()
    assert load_config() == DetectorConfig()


def test_unknown_key_is_named():
    with pytest.raises(ConfigError, match="unknown config key 'min_aera'"):
        config_from_dict({"min_aera": 0.01})


def test_out_of_range_value_is_named():
    with pytest.raises(ConfigError, match="'epsilon_factor'"):
        config_from_dict({"epsilon_factor": -1})


def test_min_area_must_be_below_max_area():
    with pytest.raises(ConfigError, match="min_area"):
        config_from_dict({"min_area": 0.5, "max_area": 0.4})


def test_missing_file_and_bad_json(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(bad)
