"""The records fitted beside the classifier are refitted exactly when their inputs change."""

from extractors import fitted_records


def test_a_record_is_current_only_for_the_same_code_data_and_encoder(tmp_path):
    fitted_records.write(tmp_path / "new", "roles.json", {"code_version": "c1", "data_version": "d1",
                                                          "encoder": "e1", "coef": [1.0]})
    path = tmp_path / "new" / "roles.json"
    assert not list((tmp_path / "new").glob(".*.tmp"))  # written whole, no temporary left
    assert fitted_records.is_current(path, "c1", "d1", "e1")
    assert not fitted_records.is_current(path, "c2", "d1", "e1")
    assert not fitted_records.is_current(path, "c1", "d2", "e1")
    assert not fitted_records.is_current(path, "c1", "d1", "e2")
    assert not fitted_records.is_current(tmp_path / "missing.json", "c1", "d1", "e1")
    path.write_text("{not json")
    assert not fitted_records.is_current(path, "c1", "d1", "e1")
    path.write_text("[1, 2]")  # an old buying-role artifact: a bare list of examples
    assert not fitted_records.is_current(path, "c1", "d1", "e1")
