"""Results TSV, report, resume after a real kill, sharded runs under torch.distributed, and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import smoothcert as sc
from smoothcert.cli import main
from smoothcert.counts import Counts
from smoothcert.results import COLUMNS, ResultsWriter, read_results, report


def test_writer_format_and_resume(tmp_path):
    path = tmp_path / "r.tsv"
    with ResultsWriter(path, ("p_a_lower",)) as w:
        w.write(idx=0, label=3, predict=3, radius=0.25, correct=1, time=0.5, p_a_lower=0.9)
        w.write(idx=1, label=2, predict=-1, radius=0.0, correct=0, time=0.5, p_a_lower=0.4)
    lines = path.read_text().splitlines()
    assert lines[0].split("\t") == list(COLUMNS) + ["p_a_lower"]
    assert lines[1].split("\t")[:5] == ["0", "3", "3", "0.25", "1"]
    # A row cut off without its newline (killed mid-write) is dropped on resume.
    with open(path, "a") as fh:
        fh.write("2\t1\t1\t0.1")
    w = ResultsWriter(path, ("p_a_lower",), resume=True)
    assert w.done == {0, 1}
    w.close()
    assert len(path.read_text().splitlines()) == 3
    with pytest.raises(ValueError, match="header"):
        ResultsWriter(path, ("other",), resume=True)
    with pytest.raises(ValueError, match="missing"):
        with ResultsWriter(tmp_path / "s.tsv") as w2:
            w2.write(idx=0)


def test_report_numbers(tmp_path):
    path = tmp_path / "r.tsv"
    radius = [0.5, 0.2, 0.0, 0.9, 0.3]
    predict = [1, 1, -1, 2, 0]
    label = [1, 1, 4, 2, 1]
    with ResultsWriter(path) as w:
        for i in range(5):
            w.write(idx=i, label=label[i], predict=predict[i], radius=radius[i],
                    correct=int(predict[i] == label[i]), time=0.1)
    rep = report(path, grid=[0.0, 0.25, 0.5, 1.0])
    # correct & radius >= r over 5 inputs: r=0 -> {0, 1, 3}; r=0.25 -> {0, 3}; 0.5 -> {0, 3}; 1 -> {}
    assert np.allclose(rep.accuracy, [3 / 5, 2 / 5, 2 / 5, 0.0])
    assert rep.acr == pytest.approx((0.5 + 0.2 + 0.9) / 5)
    assert rep.abstain_rate == pytest.approx(0.2)
    assert "certified accuracy" in rep.table()
    png = tmp_path / "p.png"
    sc.results.plot_certified_accuracy([rep, report(path, name="again")], png, "two runs")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _certify_cmd(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "smoothcert", "certify", "--max", "40", "--n", "2000", "--n0", "50",
            "--out", str(out), "--no-progress", *extra]


def test_cli_certify_resume_after_kill_loses_nothing(tmp_path):
    full = tmp_path / "full.tsv"
    subprocess.run(_certify_cmd(full), check=True, capture_output=True)
    killed = tmp_path / "killed.tsv"
    proc = subprocess.Popen(_certify_cmd(killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        if killed.exists() and len(killed.read_text().splitlines()) > 10:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(killed.read_text().splitlines()) - 1
    assert 0 < partial < 40, "the run should have been killed part-way"
    out = subprocess.run(_certify_cmd(killed, "--resume"), check=True, capture_output=True, text=True)
    assert "certified accuracy" in out.stdout
    a, b = read_results(full), read_results(killed)
    assert list(a["idx"]) == list(b["idx"]) == list(range(40))
    for col in ("label", "predict", "radius", "correct", "p_a_lower"):
        assert np.array_equal(a[col], b[col])
    # Resuming with a different configuration is refused.
    bad = subprocess.run(_certify_cmd(killed, "--resume", "--sigma", "0.5"), capture_output=True, text=True)
    assert bad.returncode == 2 and "different configuration" in bad.stderr


def test_torchrun_shards_give_the_rows_of_a_single_run(tmp_path):
    single = tmp_path / "single.tsv"
    assert main(["certify", "--max", "12", "--n", "1000", "--n0", "50", "--out", str(single), "--no-progress"]) == 0
    sharded = tmp_path / "sharded.tsv"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port",
                    "29533", "-m", "smoothcert", "certify", "--limit", "12", "--num-samples", "1000", "--n0", "50",
                    "--out", str(sharded), "--no-progress"], check=True, capture_output=True, env=env)
    a, b = read_results(single), read_results(sharded)
    for col in ("idx", "label", "predict", "radius", "correct", "p_a_lower"):
        assert np.array_equal(a[col], b[col])
    assert (tmp_path / "sharded.tsv.part1of2").exists()


def test_cli_sample_writes_counts_that_certify_like_certify(tmp_path, capsys):
    out = tmp_path / "c.npz"
    assert main(["sample", "--max", "5", "--n", "500", "--out", str(out), "--no-progress"]) == 0
    counts = Counts.load(out)
    assert counts.counts.shape == (5, 10) and np.all(counts.n == 500)
    assert counts.noise == {"noise": "gaussian", "sigma": 0.25, "dim": 64}
    assert counts.labels is not None and len(counts.labels) == 5
    # Resume: drop the last two finished rows (as if killed) and continue: same counts.
    rows = out.with_name(out.name + ".rows")
    rows.write_text("".join(rows.read_text().splitlines(keepends=True)[:3]))
    assert main(["sample", "--max", "5", "--n", "500", "--out", str(out), "--no-progress", "--resume"]) == 0
    again = Counts.load(out)
    assert np.array_equal(again.counts, counts.counts) and np.array_equal(again.indices, counts.indices)


def test_cli_report_and_errors(tmp_path, capsys):
    out = tmp_path / "r.tsv"
    assert main(["certify", "--max", "5", "--n", "500", "--n0", "20", "--out", str(out), "--no-progress",
                 "--plot", str(tmp_path / "r.png")]) == 0
    assert (tmp_path / "r.png").exists()
    assert main(["report", str(out), str(out), "--grid", "0", "0.1", "--plot", str(tmp_path / "two.png")]) == 0
    assert "radius" in capsys.readouterr().out
    assert main(["certify", "--noise", "no-such-noise", "--out", str(out)]) == 2
    assert main(["certify", "--alpha", "2", "--max", "1", "--out", str(tmp_path / "x.tsv"), "--no-progress"]) == 2
    assert main(["certify", "--model", "nosuchmodule:f", "--out", str(out)]) == 2
    assert main(["report", str(tmp_path / "missing.tsv")]) == 2
    err = capsys.readouterr().err
    assert "--noise" in err and "alpha" in err and "--model" in err


@pytest.mark.parametrize("noise", [["--noise", "hierarchical-sparse", "--selection-prob", "0.5", "--p-plus", "0.1",
                                    "--p-minus", "0.1"],
                                   ["--noise", "general-gaussian-th", "--k", "2", "--beta", "0.5"]])
def test_cli_certify_refuses_a_noise_without_a_single_radius_certificate(tmp_path, capsys, noise):
    out = tmp_path / "r.tsv"
    assert main(["certify", *noise, "--max", "1", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("smoothcert certify: error: --noise " + noise[1]) and "single-radius" in err
    # Refused before any file is touched.
    assert not list(tmp_path.iterdir())


def test_cli_names_missing_family_parameters_and_uncertified_norms(tmp_path, capsys):
    out = tmp_path / "r.tsv"
    assert main(["certify", "--noise", "hierarchical-sparse", "--out", str(out)]) == 2
    assert main(["certify", "--noise", "uniform-ball", "--norm", "l1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--selection-prob, --p-plus, --p-minus" in err and "--norm l1 is not certified by --noise uniform-ball" in err
    assert not list(tmp_path.iterdir())


def test_cli_certify_counts_and_its_bound_alias_write_the_same_rows(tmp_path):
    counts = tmp_path / "c.npz"
    assert main(["sample", "--max", "4", "--n", "300", "--out", str(counts), "--no-progress"]) == 0
    new, old = tmp_path / "certify_counts.tsv", tmp_path / "bound.tsv"
    assert main(["certify-counts", "--p", str(counts), "--out", str(new)]) == 0
    assert main(["bound", "--p", str(counts), "--out", str(old)]) == 0
    a, b = read_results(new), read_results(old)
    for col in ("idx", "label", "predict", "radius", "correct", "p_low", "p_high"):
        assert np.array_equal(a[col], b[col])


def test_counts_roundtrip_and_merge(tmp_path):
    c1 = Counts(np.array([[3, 1], [0, 4]]), [5, 1], {"noise": "gaussian", "sigma": 0.5}, seed=2, labels=[0, 1])
    c2 = Counts(np.array([[2, 2]]), [3], {"noise": "gaussian", "sigma": 0.5}, seed=2, labels=[1])
    c1.save(tmp_path / "a.npz")
    back = Counts.load(tmp_path / "a.npz")
    assert np.array_equal(back.counts, c1.counts) and back.noise == c1.noise and back.seed == 2
    merged = Counts.merge([back, c2])
    assert list(merged.indices) == [1, 3, 5] and list(merged.labels) == [1, 1, 0]
    with pytest.raises(ValueError, match="overlap"):
        Counts.merge([c1, c1])
    with pytest.raises(ValueError, match="different runs"):
        Counts.merge([c1, Counts(np.array([[1, 1]]), [9], {"noise": "gaussian", "sigma": 0.25})])
    with pytest.raises(ValueError, match="non-negative"):
        Counts(np.array([[-1, 2]]), [0], {})


def test_cli_certify_other_noises(tmp_path, capsys):
    lap = tmp_path / "laplace.tsv"
    assert main(["certify", "--noise", "laplace", "--sigma", "0.5", "--norm", "l1", "--max", "4", "--n", "500",
                 "--n0", "20", "--out", str(lap), "--no-progress"]) == 0
    cols = read_results(lap)
    assert set(cols["norm"]) == {"l1"} and np.all(cols["radius"] >= 0)
    # DSSN certifies inputs on the 1/255 grid, exactly: off-grid digits are refused, quantised ones pass.
    assert main(["certify", "--noise", "dssn", "--sigma", "0.25", "--max", "3", "--out",
                 str(tmp_path / "d0.tsv"), "--no-progress"]) == 2
    assert "1/255" in capsys.readouterr().err
    dssn_out = tmp_path / "dssn.tsv"
    assert main(["certify", "--noise", "dssn", "--sigma", "0.25", "--quantize", "255", "--max", "3", "--out",
                 str(dssn_out), "--no-progress"]) == 0
    cols = read_results(dssn_out)
    assert np.all(cols["predict"] >= 0)
    # Exact certificate: radius is a whole number of 1/255 steps.
    k = cols["radius"] * 255
    assert np.allclose(k, np.round(k), atol=1e-9)
