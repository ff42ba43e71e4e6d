from sa_lib.choices import choices_table, clear_choices, record_choice


def test_record_choice_replaces_same_name():
    clear_choices()
    record_choice("cell size", 250, "auto")
    record_choice("cell size", 300, "auto again")
    record_choice("alpha", 0.05, "from YAML", source="parameters")
    t = choices_table()
    assert t["choice"].tolist() == ["cell size", "alpha"]
    assert t.loc[0, "value"] == "300"
    assert t.loc[1, "source"] == "parameters"
    clear_choices()
    assert choices_table().empty
