"""Architectures: the one table of what weakmem knows about each.

Every fact keyed by an architecture lives in `ARCHS`; the parser, the
front-end registry, model selection and `weakmem models` read it from here
(docs/architecture.md, "add a CPU").  The matrix's compilation targets name
their architecture in weakmem.matrix.mappings.TARGETS."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArchInfo:
    name: str                          # herd7's spelling in a litmus header (read case-insensitively)
    frontend: str | None = None        # module weakmem.semantics.<frontend>; None: parsed, not supported
    default_model: str | None = None   # the built-in model used when none is named
    herd_cat: str | None = None        # herd7's default model, used when found on the -I path
    machines: tuple[str, ...] = ()     # platform.machine() names of its CPUs (weakmem hw)
    value_bits: int = 64               # herd7's machine integers (constants in init and condition)
    cross_gcc: str | None = None       # a GCC for its CPUs on another machine (weakmem hw --emit-c)
    isa: str | None = None             # its code generator and instruction costs (weakmem.matrix.isa, weakmem.fix)


ARCHS: tuple[ArchInfo, ...] = (
    ArchInfo("C", "c", "lkmm", value_bits=32),
    ArchInfo("X86", "x86", "x86-tso", "x86tso.cat", ("x86_64", "amd64", "i386", "i686"), value_bits=32, isa="x86"),
    ArchInfo("X86_64", "x86", "x86-tso", "x86tso-mixed.cat", ("x86_64", "amd64"), isa="x86"),
    ArchInfo("AArch64", "aarch64", "aarch64", "aarch64.cat", ("aarch64", "arm64"), cross_gcc="aarch64-linux-gnu-gcc",
             isa="aarch64"),
    ArchInfo("ARM", "arm", "armv7", "arm.cat", ("armv7l", "armv7", "armv8l"), value_bits=32,
             cross_gcc="arm-linux-gnueabihf-gcc -marm", isa="armv7"),
    ArchInfo("PPC", "ppc", "power", "ppc.cat", ("ppc64le", "ppc64"), isa="power"),
    ArchInfo("RISCV", "riscv", "riscv", "riscv.cat", ("riscv64",), cross_gcc="riscv64-linux-gnu-gcc", isa="riscv"),
    ArchInfo("LISA", "lisa", "lkmm"),
    ArchInfo("MIPS"),
    ArchInfo("BPF"),
)

_BY_NAME = {a.name: a for a in ARCHS}
_BY_SPELLING = {a.name.upper(): a for a in ARCHS}


def arch_info(name: str) -> ArchInfo | None:
    """The entry for a canonical architecture name (`Litmus.arch`)."""
    return _BY_NAME.get(name)


def arch_of_header(word: str) -> ArchInfo | None:
    """The entry for the first word of a litmus file, in any case."""
    return _BY_SPELLING.get(word.upper())


def default_model(name: str) -> str | None:
    """The built-in model used for an architecture when none is named."""
    info = _BY_NAME.get(name)
    return info.default_model if info is not None else None


def arch_isa(name: str) -> str | None:
    """The ISA family of an architecture's assembly (None: no code generator)."""
    info = _BY_NAME.get(name)
    return info.isa if info is not None else None


def default_model_archs(model: str) -> list[str]:
    """The architectures whose default model is `model`."""
    return sorted(a.name for a in ARCHS if a.default_model == model)
