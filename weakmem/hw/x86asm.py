"""X86 / X86_64 litmus threads as GCC inline assembly.

The x86 front-end (weakmem.semantics.x86.X86Frontend) decodes every
instruction -- the same decoding `weakmem run` uses -- and the harness
prints it back in AT&T syntax inside one `asm volatile` per thread:

* the test's registers are the machine's: each one the thread uses is a C
  variable bound to that very register (`"+a"` for rax/EAX, ..., a local
  `register ... asm("r8")` variable for r8-r15), initialised from the init
  block and copied out after the asm for the final state;
* a location `x` is a register operand `%[wm_x]` holding the address of x
  in the current instance (`movl $1,(x)` -> `movl $1,(%[wm_x])`, `$x` ->
  that register);
* labels become local labels made unique per asm instance (`%=`);
* the 32-bit X86 dialect (Intel operand order) runs in 64-bit mode: its
  registers are the low halves of rax..rdi, addresses use the full ones.

Refused, with the instruction's position: herd7's unlocked exchange
(`UXCH`, no such x86 instruction), rbp/rsp (the compiler's), symbolic
registers, and addresses mixing a location with a base register.
"""
from __future__ import annotations

from weakmem.errors import LitmusError, Pos
from weakmem.hw.harness import Builder, Harness, c_ident, finish, line_directive
from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.semantics.x86_decode import Imm, Instr, Mem, Name, Reg

# 64-bit register -> (constraint letter or None for a register variable)
CONSTRAINTS = {"rax": "a", "rbx": "b", "rcx": "c", "rdx": "d", "rsi": "S", "rdi": "D"}
X86_TO_64 = {"EAX": "rax", "EBX": "rbx", "ECX": "rcx", "EDX": "rdx", "ESI": "rsi", "EDI": "rdi",
             "EBP": "rbp", "ESP": "rsp", "EIP": "rip"}
FORBIDDEN = ("rbp", "rsp", "rip", "cs", "ds", "ss", "es", "fs", "gs")
SUFFIX = {1: "b", 2: "w", 4: "l", 8: "q"}
STORAGE_BY_BYTES = {1: "int8_t", 2: "int16_t", 4: "int32_t", 8: "int64_t"}


def reg64(canon: str) -> str:
    return X86_TO_64.get(canon, canon)


def reg_name(r64: str, width: int, high: bool = False) -> str:
    """The machine name of the `width`-bit part of 64-bit register r64."""
    if r64 in ("rax", "rbx", "rcx", "rdx"):
        b = r64[1]
        return {64: r64, 32: f"e{b}x", 16: f"{b}x", 8: f"{b}h" if high else f"{b}l"}[width]
    if r64 in ("rsi", "rdi"):
        b = r64[1:]
        return {64: r64, 32: f"e{b}", 16: b, 8: f"{b}l"}[width]
    if r64.startswith("r") and r64[1:].isdigit():
        return {64: r64, 32: f"{r64}d", 16: f"{r64}w", 8: f"{r64}b"}[width]
    return r64


class _Thread:
    def __init__(self, b: Builder, fe, tid: int):
        self.b = b
        self.fe = fe
        self.tid = tid
        self.regs: set[str] = set()        # 64-bit machine registers used
        self.addr_ops: dict[str, str] = {}  # location -> operand name

    def err(self, msg: str, ins: Instr) -> LitmusError:
        return LitmusError(msg, ins.pos or Pos(self.b.path))

    def use_reg(self, r: Reg, ins: Instr | None) -> str:
        if r.info is None:
            raise LitmusError(f"symbolic register {r.name} cannot run on hardware",
                              (ins.pos if ins else None) or Pos(self.b.path))
        r64 = reg64(r.info.name)
        if r64 in FORBIDDEN:
            raise LitmusError(f"register {r.name} is the compiler's (stack/frame/segment); "
                              "the harness cannot give it to the test",
                              (ins.pos if ins else None) or Pos(self.b.path))
        self.regs.add(r64)
        return r64

    def loc_op(self, name: str) -> str:
        self.b.add_location(name)
        op = "wm_" + c_ident(name)
        self.addr_ops[name] = op
        return op

    def mem(self, m: Mem, ins: Instr) -> str:
        if m.absolute is not None:
            raise self.err(f"numeric address {m.absolute} is not a location", ins)
        disp = str(m.disp) if m.disp else ""
        if m.sym is not None:
            if m.base is not None:
                raise self.err("an address adding a location and a base register is not supported "
                               "on hardware; put the location's address in the register", ins)
            base = f"%[{self.loc_op(m.sym)}]"
        elif m.base is not None:
            base = "%%" + self.use_reg(m.base, ins)
        else:
            base = ""
        if m.index is not None:
            idx = "%%" + self.use_reg(m.index, ins)
            return f"{disp}({base},{idx},{m.scale})"
        return f"{disp}({base})"

    def operand(self, o, ins: Instr) -> str:
        if isinstance(o, Imm):
            if o.sym is not None:
                return f"%[{self.loc_op(o.sym)}]"
            return f"${o.value}"
        if isinstance(o, Reg):
            r64 = self.use_reg(o, ins)
            return "%%" + reg_name(r64, o.info.width, o.info.high)
        if isinstance(o, Mem):
            return self.mem(o, ins)
        if isinstance(o, Name):
            return f".Lwm_{c_ident(o.name)}_%="
        raise self.err("bad operand", ins)

    def mem_bytes(self, ins: Instr) -> int:
        for o in ins.ops:
            if isinstance(o, Mem):
                if o.sym is not None:
                    return self.fe.elem_size.get(o.sym, 4)
                for r in (o.base, o.index):
                    if r is not None and r.info is not None:
                        v = self.fe.init_regs.get(self.tid, {}).get(r.info.name)
                        if isinstance(v, SymVal):
                            return self.fe.elem_size.get(v.name, 4)
        return 4

    def instr(self, ins: Instr) -> str:
        cls = ins.extra["class"]
        ops = ins.ops
        if cls == "uxch":
            raise self.err("UXCH is herd7's unlocked exchange; x86 has no such instruction "
                           "(XCHG with memory is always locked)", ins)
        if cls == "nop":
            return "nop"
        if cls == "fence":
            return ins.op
        if cls == "ret":
            return "jmp .Lwm_end_%="
        if cls == "jmp":
            return f"jmp {self.operand(ops[0], ins)}"
        if cls == "jcc":
            return f"j{ins.cond} {self.operand(ops[0], ins)}"
        sym_imm = any(isinstance(o, Imm) and o.sym is not None for o in ops)
        if sym_imm and cls != "mov":
            raise self.err("a location's address ($x) can only be moved into a register or memory "
                           "on hardware", ins)
        rendered = [self.operand(o, ins) for o in ops]
        if sym_imm:
            # an address is 64 bits wide: movq to the whole register
            dst = ops[-1]
            if isinstance(dst, Reg):
                rendered[-1] = "%%" + reg64(dst.info.name)
            return f"movq {rendered[0]},{rendered[-1]}"
        mnem = ins.op
        if cls == "setcc":
            mnem = f"set{ins.cond}"
        elif cls == "cmovcc":
            mnem = f"cmov{ins.cond}"
        elif mnem == "movabs":
            mnem = "movabs"
        has_reg = any(isinstance(o, Reg) and not (cls == "shift" and o is not ops[-1]) for o in ops)
        if cls not in ("setcc", "cmovcc") and not has_reg:
            size = ins.size // 8 if ins.size else self.mem_bytes(ins)
            mnem += SUFFIX.get(size, "l")
        elif ins.size and cls not in ("setcc", "cmovcc"):
            mnem += SUFFIX[ins.size // 8]
        pre = "lock; " if ins.lock else ""
        return f"{pre}{mnem} {','.join(rendered)}"

    def generate(self, th: A.AsmThread) -> str:
        prog = self.fe.code[self.tid]
        lines: list[str] = []
        src_lines: list[str] = []
        for k, ins in enumerate(prog):
            for lab, at in self.fe.labels[self.tid].items():
                if at == k:
                    lines.append((None, f".Lwm_{c_ident(lab)}_%=:"))
            if ins is None:
                continue
            lines.append((ins.pos, self.instr(ins)))
            src_lines.append(ins.text)
        for lab, at in self.fe.labels[self.tid].items():
            if at >= len(prog):
                lines.append((None, f".Lwm_{c_ident(lab)}_%=:"))
        lines.append((None, ".Lwm_end_%=:"))
        if any(i is not None and i.extra["class"] == "cmpxchg" for i in prog):
            self.regs.add("rax")                  # the accumulator, implicitly
        # registers the condition reads or the init block sets but the code
        # does not touch are plain C variables
        inits = self.fe.init_regs.get(self.tid, {})
        plain = {reg64(_info(r, self.fe.arch).name) for (tid, r) in self.b.reg_outputs if tid == self.tid}
        plain |= {reg64(r) for r in inits}
        plain -= self.regs
        out: list[str] = []
        w = out.append
        w(f"/* {th.name}: " + " ; ".join(src_lines).replace("*/", "* /") + " */")
        w(f"static __attribute__((noinline)) void wm_P{self.tid}(long wm_i)")
        w("{")
        init64 = {reg64(k): v for k, v in inits.items()}
        for r in sorted(self.regs | plain):
            v = init64.get(r)
            val = "0" if v is None else (self.b.value_expr(A.SymVal(v.name, v.offset)) if isinstance(v, SymVal)
                                         else self.b.value_expr(A.IntVal(v)))
            if r in CONSTRAINTS or r in plain:
                w(f"\tuint64_t wm_{r} = (uint64_t)({val});")
            else:
                w(f"\tregister uint64_t wm_{r} __asm__(\"{r}\") = (uint64_t)({val});")
        w("\t__asm__ __volatile__(")
        here = self.b.path.rsplit("/", 1)[-1]
        for pos, text in lines:
            d = line_directive(pos)
            if d:
                w(d)
                self.b.line_cols.setdefault(pos.line, pos.col)
            mark = f"  # {here}:{pos.line}" if pos is not None and pos.line else ""
            w(f'\t\t"{text}{mark}\\n\\t"')
        w("#line WM_RESET")
        outs = [f'"+{CONSTRAINTS.get(r, "r")}"(wm_{r})' for r in sorted(self.regs)]
        ins_ = [f'[{op}] "r"(WM_LOC({c_ident(name)}, wm_i))' for name, op in sorted(self.addr_ops.items())]
        w("\t\t: " + ", ".join(outs))
        w("\t\t: " + ", ".join(ins_))
        w('\t\t: "memory", "cc");')
        for (tid, reg) in sorted(self.b.reg_outputs):
            if tid == self.tid:
                r = reg64(_info(reg, self.fe.arch).name)
                w(f"\twm_out_{tid}_{c_ident(reg)}[wm_i] = (int64_t)wm_{r};")
        w("}")
        w("")
        return "\n".join(out)


def _info(name: str, arch: str):
    from weakmem.semantics.x86_decode import lookup_reg
    info = lookup_reg(name, arch)
    if info is None:
        raise LitmusError(f"unknown register {name}")
    return info


def build_x86(test: A.Litmus) -> Harness:
    from weakmem.semantics.x86 import X86Frontend
    fe = X86Frontend(test)          # decodes every instruction; canonicalises register names
    b = Builder(test)
    b.init_locations()
    for name, es in fe.elem_size.items():
        loc = b.add_location(name)
        loc.storage = STORAGE_BY_BYTES.get(es, "int32_t")
        loc.count = max(loc.count, fe.array_len.get(name, 1))
        if len(loc.init) < loc.count:
            loc.init += [None] * (loc.count - len(loc.init))
    for name in sorted(fe.shared):
        b.add_location(name, "int32_t")
    if test.arch == "X86":
        # 32-bit addresses: locations are mapped below 2 GB (MAP_32BIT), so
        # an address fits a 32-bit register or a 4-byte location
        b.defines.append("WM_LOW_ADDRESSES")
    b.slots()                         # registers of the condition -> reg_outputs
    for th in test.threads:
        b.thread_code.append(_Thread(b, fe, th.tid).generate(th))
    fix = None
    if test.arch == "X86":
        # 32-bit registers: the low half, signed, unless it holds an address
        fix = {(tid, reg): "({{ int64_t _v = {v}; WM_IS_ADDR(_v) ? _v : (int64_t)(int32_t)_v; }})"
               for (tid, reg) in b.reg_outputs}
    return finish(b, "x86 assembly", fix)
