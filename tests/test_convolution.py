"""The `convolution` block: author mistakes with file:line, the stored reference against
convolutions computed here by hand with plain loops, the HTML, and verify's comparison."""

from __future__ import annotations

import math
import re
from html import unescape

import pytest
from mdhelpers import cell_specs, convert
from mlpages.verify.compare import check_cell

HEAD = "# Convolutions\n\n"  # two lines: a block appended to it opens on line 3

SHARPEN = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
DEMO_IMAGE = [
    [2, 2, 2, 2, 2, 2],
    [2, 2, 2, 2, 2, 2],
    [2, 2, 8, 8, 2, 2],
    [2, 2, 8, 8, 2, 2],
    [2, 2, 2, 2, 2, 2],
    [2, 2, 2, 2, 2, 2],
]


def block(body: str) -> str:
    return HEAD + "```convolution\n" + body + "```\n"


def conv_spec(body: str) -> dict:
    (spec,) = [s for s in cell_specs(convert(block(body), path="docs/ch2.md")) if s["kind"] == "convolution"]
    return spec


def grid(array: dict) -> list[list[float]]:
    rows, cols = array["shape"]
    return [array["data"][r * cols:(r + 1) * cols] for r in range(rows)]


def by_hand(image, kernel, strides=(1, 1), padding="valid", bias=0.0, relu=False):
    """Plain loops: TF's 'same' rule from its documentation (out = ceil(in / stride), the odd
    padding row and column at the bottom and right), zeros outside the image."""
    h, w, kh, kw = len(image), len(image[0]), len(kernel), len(kernel[0])
    sh, sw = strides
    if padding == "same":
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
        top = max((oh - 1) * sh + kh - h, 0) // 2
        left = max((ow - 1) * sw + kw - w, 0) // 2
    else:
        oh, ow = math.ceil((h - kh + 1) / sh), math.ceil((w - kw + 1) / sw)
        top = left = 0
    out = []
    for r in range(oh):
        row = []
        for c in range(ow):
            total = 0.0
            for i in range(kh):
                for j in range(kw):
                    y, x = r * sh + i - top, c * sw + j - left
                    if 0 <= y < h and 0 <= x < w:
                        total += image[y][x] * kernel[i][j]
            total += bias
            row.append(max(total, 0.0) if relu else total)
        out.append(row)
    return out


def assert_close(got, want, rel=1e-6, abs_=1e-6):
    assert len(got) == len(want) and all(len(a) == len(b) for a, b in zip(got, want, strict=True))
    for a, b in zip(got, want, strict=True):
        for x, y in zip(a, b, strict=True):
            assert math.isclose(x, y, rel_tol=rel, abs_tol=abs_), (got, want)


# -- author mistakes ---------------------------------------------------------------------

ERRORS = [
    ("unknown key",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernal: [[1]]\n",
     "docs/ch2.md:6: convolution 'c': unknown key 'kernal' (did you mean 'kernel'?)"),
    ("ragged image",
     "name: c\nimage: [[1, 2, 3], [4, 5]]\nkernel: [[1]]\n",
     "docs/ch2.md:5: convolution 'c': 'image' row 2 has 2 values but row 1 has 3; "
     "rows must have equal length"),
    ("not a number",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernel: [[1, x]]\n",
     "docs/ch2.md:6: convolution 'c': 'kernel' row 1 holds 'x', which is not a number"),
    ("flat image",
     "name: c\nimage: [1, 2, 3]\nkernel: [[1]]\n",
     "docs/ch2.md:5: convolution 'c': 'image' must be a list of rows of numbers"),
    ("kernel larger than the image with valid padding",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernel: sharpen\n",
     "docs/ch2.md:6: convolution 'c': the sharpen kernel (3×3) is larger than the image (2×2) "
     "with padding 'valid'; use padding: same or a smaller kernel"),
    ("misspelt preset",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernel: [[1]]\npresets: [sharpn]\n",
     "docs/ch2.md:7: convolution 'c': unknown kernel preset 'sharpn' (did you mean 'sharpen'?)"),
    ("padding",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernel: [[1]]\npadding: full\n",
     "docs/ch2.md:7: convolution 'c': 'padding' must be one of valid, same, got 'full'"),
    ("misspelt activation",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernel: [[1]]\nactivation: rellu\n",
     "docs/ch2.md:7: convolution 'c': unknown activation 'rellu' (did you mean 'relu'?)"),
    ("TF.js key not supported",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernel: [[1]]\nfilters: 2\n",
     "docs/ch2.md:7: convolution 'c': 'filters' is not supported by mlpages"),
    ("strides",
     "name: c\nimage: [[1, 2], [3, 4]]\nkernel: [[1]]\nstrides: 0\n",
     "docs/ch2.md:7: convolution 'c': strides must be a positive integer"),
    ("two sources",
     "name: c\nimage: [[1, 2], [3, 4]]\ndataset: d\nkernel: [[1]]\n",
     "docs/ch2.md:3: convolution 'c': give exactly one of 'image' (a list of rows) or 'dataset'"),
    ("no kernel",
     "name: c\nimage: [[1, 2], [3, 4]]\n",
     "docs/ch2.md:3: convolution 'c': missing 'kernel'"),
]


@pytest.mark.parametrize(("what", "body", "expected"), ERRORS, ids=[e[0] for e in ERRORS])
def test_author_mistakes_name_file_line_and_block(what, body, expected, warnings_log):
    html = convert(block(body), path="docs/ch2.md")
    messages = warnings_log()
    assert len(messages) == 1, messages
    assert messages[0].startswith(expected), messages[0]
    assert 'class="mlpages-error' in html and messages[0] in unescape(html)


DIGITS = "```dataset\nname: digits\ngenerate: digits\nn: 3\nseed: 1\n```\n\n"  # 6 lines
XOR = "```dataset\nname: xor\nx: [[0, 0], [1, 1]]\n```\n\n"  # 5 lines


@pytest.mark.parametrize(("first", "body", "expected"), [
    (DIGITS, "name: c\ndataset: digits\nindex: 3\nkernel: edge\n",
     "docs/ch2.md:13: convolution 'c': 'index' 3 is out of range: dataset 'digits' has 3 training images"),
    (XOR, "name: c\ndataset: xor\nkernel: [[1]]\n",
     "docs/ch2.md:10: convolution 'c': dataset 'xor' holds rows of shape [2], not grey images"),
    (DIGITS, "name: c\ndataset: digit\nkernel: edge\n",
     "docs/ch2.md:12: convolution 'c': no dataset named 'digit' before this block (did you mean 'digits'?)"),
])
def test_dataset_source_mistakes(first, body, expected, warnings_log):
    convert(HEAD + first + "```convolution\n" + body + "```\n", path="docs/ch2.md")
    messages = warnings_log()
    assert len(messages) == 1 and messages[0].startswith(expected), messages


# -- the reference ------------------------------------------------------------------------

def test_demo_sharpen_matches_the_hand_computed_outputs():
    spec = conv_spec(f"name: s\nimage: {DEMO_IMAGE}\nkernel: {SHARPEN}\npadding: same\n")
    (entry,) = spec["kernels"]
    assert entry["label"] == "sharpen"  # the preset written out keeps its name
    out = grid(entry["output"])
    # The walk-through of docs/course/convolution.md, by hand.
    assert out[2][2] == 20  # 5·8 − (2 + 2 + 8 + 8)
    assert out[1][2] == -4  # 5·2 − (2 + 2 + 2 + 8)
    assert out[1][1] == 2  # a flat window: 5·2 − 4·2
    assert out[0][0] == 6  # 5·2 − (0 + 0 + 2 + 2): two padding zeros
    assert out == by_hand(DEMO_IMAGE, SHARPEN, padding="same")
    assert entry["pad"] == [[1, 1], [1, 1]]


def test_strided_same_padding_puts_the_odd_row_and_column_at_the_bottom_right():
    image = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    ones = [[1, 1, 1]] * 3
    spec = conv_spec(f"name: s\nimage: {image}\nkernel: {ones}\npadding: same\nstrides: 2\n")
    out = grid(spec["kernels"][0]["output"])
    # windows: rows/cols 0-2 and 2-4 (row and column 4 are the padding)
    assert out == [[54, 45], [72, 54]]
    assert out == by_hand(image, ones, (2, 2), "same")
    assert spec["kernels"][0]["pad"] == [[0, 1], [0, 1]]


def test_valid_padding_bias_relu_and_presets():
    image = [[0.5, 1, 0, 2, 1], [1, 3, 1, 0, 0.25], [2, 0, 1, 1, 4], [0, 1, 2, 0.75, 1]]
    body = (f"name: s\nimage: {image}\nkernel: [[1, -2], [0.5, 1]]\nbias: -1.5\n"
            "activation: relu\npresets: [edge, blur]\n")
    spec = conv_spec(body)
    assert [k["label"] for k in spec["kernels"]] == ["custom", "edge", "blur"]
    assert spec["bias"] == -1.5 and spec["activation"] == "relu" and spec["padding"] == "valid"
    custom, edge, blur = spec["kernels"]
    assert_close(grid(custom["output"]), by_hand(image, [[1, -2], [0.5, 1]], bias=-1.5, relu=True))
    edge_kernel = [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    assert_close(grid(edge["output"]), by_hand(image, edge_kernel, bias=-1.5, relu=True))
    assert_close(grid(blur["output"]), by_hand(image, [[1 / 9] * 3] * 3, bias=-1.5, relu=True))
    # by hand: 0.5·1 + 1·(−2) + 1·0.5 + 3·1 − 1.5 = 0.5; 1 − 0 + 1.5 + 1 − 1.5 = 2;
    # 0 − 4 + 0.5 + 0 − 1.5 = −5, cut to 0 by relu
    assert grid(custom["output"])[0][:3] == [0.5, 2, 0]
    assert custom["output"]["shape"] == [3, 4]  # a 4×5 image, a 2×2 kernel, 'valid'



def test_an_image_from_a_dataset_is_its_training_row():
    html = convert(HEAD + DIGITS + "```convolution\nname: c\ndataset: digits\nindex: 2\nkernel: edge\n```\n",
                   path="docs/ch2.md")
    dataset, conv = cell_specs(html)
    x = dataset["x"]
    assert x["shape"] == [3, 8, 8, 1]
    assert conv["image"] == {"shape": [8, 8], "data": x["data"][2 * 64:3 * 64]}
    assert conv["source"] == {"dataset": dataset["id"], "index": 2}
    edge = [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    assert_close(grid(conv["kernels"][0]["output"]), by_hand(grid(conv["image"]), edge), 1e-5, 1e-5)


# -- the HTML -----------------------------------------------------------------------------

def test_the_cell_reads_without_javascript():
    html = convert(block(f"name: s\nimage: {DEMO_IMAGE}\nkernel: sharpen\npadding: same\n"),
                   path="docs/ch2.md")
    assert 'data-mlpages-kind="convolution"' in html and 'id="mlp-ch2-s"' in html
    static = re.search(r'<div class="mlpages-conv-static">(.*?)</div></div>', html, re.S).group(1)
    captions = re.findall(r"<caption>(.*?)</caption>", static)
    assert captions == ["input image (6×6)", "sharpen kernel (3×3)", "output, NumPy reference (6×6)"]
    tables = re.findall(r"<tbody>(.*?)</tbody>", static)
    cells = [re.findall(r"<td>(.*?)</td>", t) for t in tables]
    assert len(cells[0]) == 36 and cells[1] == ["0", "-1", "0", "-1", "5", "-1", "0", "-1", "0"]
    assert cells[2][:6] == ["6", "4", "4", "4", "4", "6"] and cells[2][14] == "20"
    assert "tf.conv2d(image, kernel, 1, &#x27;same&#x27;)" in html


# -- verify's comparison -------------------------------------------------------------------

def test_verify_compares_every_output_grid_and_names_the_cell_index():
    spec = conv_spec(f"name: s\nimage: {DEMO_IMAGE}\nkernel: sharpen\npadding: same\npresets: [blur]\n")
    outputs = [dict(k["output"]) for k in spec["kernels"]]
    result = {"status": "ok", "comparable": True, "backend": "webgl", "epsilon": 1e-4,
              "outputs": outputs}
    check = check_cell(spec, result)
    assert check.mismatches == [] and check.compared == 72
    wrong = [dict(outputs[0], data=list(outputs[0]["data"])), outputs[1]]
    wrong[0]["data"][14] = 20.5
    (bad,) = check_cell(spec, dict(result, outputs=wrong)).mismatches
    line = bad.describe()
    assert line.startswith(
        "cell s (mlp-ch2-s): output (sharpen kernel) index 14 (2, 2): browser 20.5, reference 20")
    (missing,) = check_cell(spec, dict(result, outputs=outputs[:1])).mismatches
    assert missing.category == "mismatch" and "1 output grids, reference 2" in missing.describe()
