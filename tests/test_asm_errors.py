"""Each assembly front-end's rejection of a bad instruction: the message,
positioned at the instruction's line (line 4 of a one-thread test)."""
from __future__ import annotations

import pytest

from asm_util import ARM, PPC, RISCV


@pytest.mark.parametrize("kit, text, msg", [
    (ARM, "SADD16 R0,R1,R2", "instruction 'SADD16 R0,R1,R2' not handled"),
    (ARM, "LDR R0,[R9]", "Non-symbolic memory access"),
    (ARM, "B L9", "label L9 not found on P0"),
    (ARM, "MOV R0,[R1]", "bad register '[R1]'"),
    (ARM, "DMB XYZ", "bad DMB option"),
    (PPC, "mtlr r1", "instruction 'mtlr r1' not handled"),
    (PPC, "lwz r1,0(r2)", "Non-symbolic memory access found on '[0]'"),
    (PPC, "addi r1,r2", "wrong number of operands"),
    (PPC, "beq cr9,L0", "bad condition register"),
    (RISCV, "frob a0", "instruction 'frob a0' not handled"),
    (RISCV, "lw a0,0(a1)", "Non-symbolic memory access"),
    (RISCV, "fence rw", "wrong number of operands"),
    (RISCV, "lw.aq.xx a0,0(a1)", "bad ordering annotation"),
], ids=lambda x: x.head if hasattr(x, "head") else None)
def test_instruction_errors(kit, text, msg):
    e = kit.error(text)
    assert msg in str(e) and "t.litmus:4:" in str(e)
