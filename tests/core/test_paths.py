"""Output paths are checked before work, and a failing save is rescued."""

import os

import pytest

from adlkit.core import paths


def test_missing_parent_folders_are_created(tmp_path):
    p = paths.prepare_output_file(tmp_path / "a" / "b" / "x.safetensors")
    assert p.parent.is_dir() and not p.exists()
    assert paths.prepare_output_dir(tmp_path / "c" / "d").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_one_line(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(paths.OutputPathError, match="cannot"):
        paths.prepare_output_file(ro / "x.pt")


def test_proc_and_file_as_folder_are_refused(tmp_path):
    with pytest.raises(paths.OutputPathError):
        paths.prepare_output_dir("/proc/adlkit-test")
    f = tmp_path / "f"
    f.write_text("x")
    with pytest.raises(paths.OutputPathError, match="not a folder"):
        paths.prepare_output_dir(f)
    with pytest.raises(paths.OutputPathError, match="is a folder"):
        paths.prepare_output_file(tmp_path)


def test_save_or_rescue_writes_elsewhere_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "home"))
    target = tmp_path / "gone" / "model.bin"  # its folder does not exist: the save fails

    def save(p):
        with open(p, "w") as f:
            f.write("weights")

    where, err = paths.save_or_rescue(save, target)
    assert err is not None and "could not write" in err
    assert where.parent == tmp_path / "home" / "rescued" and where.read_text() == "weights"


def test_data_home_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("ADLKIT_DATA", raising=False)
    monkeypatch.setenv("ADLKIT_CACHE", str(tmp_path / "old"))
    assert paths.data_home() == tmp_path / "old"
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "new"))
    assert paths.data_home() == tmp_path / "new"
