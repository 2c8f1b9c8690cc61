"""The few parts of an ONNX model file the text recogniser edits, read and written with
protobuf alone.

The `onnx` package that would do this is 31 MB, more than the image's budget for OCR has
left; protobuf is there already (an onnxruntime dependency). The messages below declare
only the fields this module touches, with the numbers `onnx/onnx.proto` gives them; every
other field of the file is kept as it was read (protobuf carries unknown fields through a
parse and a serialise), so the model written back differs only where it was edited.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

FLOAT = 1  # TensorProto.DataType.FLOAT

# (message, [(field, number, type, label, message type)]): a subset of onnx.proto (proto2;
# nested messages such as TensorShapeProto.Dimension flattened, which the wire never sees)
_T = descriptor_pb2.FieldDescriptorProto
ONE, MANY = _T.LABEL_OPTIONAL, _T.LABEL_REPEATED
_MESSAGES = [
    (
        "StringStringEntryProto",
        [("key", 1, _T.TYPE_STRING, ONE, ""), ("value", 2, _T.TYPE_STRING, ONE, "")],
    ),
    (
        "TensorProto",
        [
            ("dims", 1, _T.TYPE_INT64, MANY, ""),
            ("data_type", 2, _T.TYPE_INT32, ONE, ""),
            ("float_data", 4, _T.TYPE_FLOAT, MANY, ""),
            ("name", 8, _T.TYPE_STRING, ONE, ""),
            ("raw_data", 9, _T.TYPE_BYTES, ONE, ""),
        ],
    ),
    (
        "Dimension",
        [("dim_value", 1, _T.TYPE_INT64, ONE, ""), ("dim_param", 2, _T.TYPE_STRING, ONE, "")],
    ),
    ("TensorShapeProto", [("dim", 1, _T.TYPE_MESSAGE, MANY, "Dimension")]),
    ("TensorTypeProto", [("shape", 2, _T.TYPE_MESSAGE, ONE, "TensorShapeProto")]),
    ("TypeProto", [("tensor_type", 1, _T.TYPE_MESSAGE, ONE, "TensorTypeProto")]),
    (
        "ValueInfoProto",
        [("name", 1, _T.TYPE_STRING, ONE, ""), ("type", 2, _T.TYPE_MESSAGE, ONE, "TypeProto")],
    ),
    (
        "GraphProto",
        [
            ("initializer", 5, _T.TYPE_MESSAGE, MANY, "TensorProto"),
            ("output", 12, _T.TYPE_MESSAGE, MANY, "ValueInfoProto"),
        ],
    ),
    (
        "ModelProto",
        [
            ("graph", 7, _T.TYPE_MESSAGE, ONE, "GraphProto"),
            ("metadata_props", 14, _T.TYPE_MESSAGE, MANY, "StringStringEntryProto"),
        ],
    ),
]
_PACKAGE = "detector_onnx_subset"  # its own name, so it never clashes with the real onnx's


@cache
def _model_class():
    f = descriptor_pb2.FileDescriptorProto(
        name=f"{_PACKAGE}.proto", package=_PACKAGE, syntax="proto2"
    )
    for name, fields in _MESSAGES:
        m = f.message_type.add(name=name)
        for field, number, type_, label, type_name in fields:
            kind = {"type_name": f".{_PACKAGE}.{type_name}"} if type_name else {}
            m.field.add(name=field, number=number, type=type_, label=label, **kind)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.ModelProto"))


def _array(tensor) -> np.ndarray:
    if tensor.data_type != FLOAT:
        raise ValueError(f"initializer {tensor.name!r} is not float32")
    if tensor.raw_data:
        values = np.frombuffer(tensor.raw_data, "<f4")
    else:
        values = np.array(tensor.float_data, np.float32)
    return values.reshape(tuple(tensor.dims))


def _set_array(tensor, values: np.ndarray) -> None:
    del tensor.dims[:]
    tensor.dims.extend(values.shape)
    del tensor.float_data[:]
    tensor.raw_data = np.ascontiguousarray(values, "<f4").tobytes()


def metadata(data: bytes) -> dict[str, str]:
    """The model's metadata properties (`metadata_props`)."""
    model = _model_class().FromString(data)
    return {p.key: p.value for p in model.metadata_props}


def keep_output_classes(data: bytes, keep: np.ndarray) -> bytes:
    """The model with its output layer cut down to the classes `keep` (indices, in order).

    The output layer is the one weight matrix and bias whose last axis runs over the
    classes (the graph's output's last dimension): only their `keep` columns stay, so the
    layer and the softmax after it run over those classes alone.
    """
    model = _model_class().FromString(data)
    graph = model.graph
    if len(graph.output) != 1:
        raise ValueError("expected a model with one output")
    dims = graph.output[0].type.tensor_type.shape.dim
    classes = dims[-1].dim_value
    layer = [t for t in graph.initializer if t.dims and t.dims[-1] == classes]
    if classes <= 0 or sorted(len(t.dims) for t in layer) != [1, 2]:
        raise ValueError("could not tell the output layer's weight and bias")
    for tensor in layer:
        _set_array(tensor, _array(tensor)[..., keep])
    dims[-1].dim_value = len(keep)
    return model.SerializeToString()
