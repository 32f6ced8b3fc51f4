#!/usr/bin/env python3
"""Small ELF surgery for Drydock's binary fixtures (standard library only).

  elf-fixture.py pointerize BIN VERSION_ADDR MODINFO_ADDR
      Rewrite the Go build-info blob (in .go.buildinfo) into the layout that Go < 1.18 linkers wrote:
      flags byte without the inline-strings bit, followed by the virtual addresses of the string
      headers runtime.buildVersion and runtime.modinfo (which Go >= 1.18 linkers still set; take
      their addresses from `go tool nm`). The pointer size and byte order stay the binary's own.
  elf-fixture.py drop-section-headers BIN
      Zero e_shoff, e_shnum and e_shstrndx, as sstrip-like tools do: only program headers remain.
  elf-fixture.py sparsify BIN OUT [SECTION...]
      Write OUT: BIN with every byte zeroed except the ELF header, the program and section header
      tables, the section-name table, the named sections, and the Go build-info blob with the
      strings it refers to (found as Go's debug/buildinfo finds it). OUT keeps BIN's size and
      layout, so `go version -m` and `objcopy --dump-section` read it as they read BIN; it
      compresses to almost nothing.
"""
import struct
import sys

MAGIC = b"\xff Go buildinf:"


class ELF:
    def __init__(self, data):
        self.d = data
        assert data[:4] == b"\x7fELF", "not ELF"
        self.is64 = data[4] == 2
        self.e = "<" if data[5] == 1 else ">"
        if self.is64:
            (self.phoff, self.shoff) = struct.unpack_from(self.e + "QQ", data, 0x20)
            (self.phentsize, self.phnum, self.shentsize, self.shnum, self.shstrndx) = \
                struct.unpack_from(self.e + "HHHHH", data, 0x36)
        else:
            (self.phoff, self.shoff) = struct.unpack_from(self.e + "II", data, 0x1C)
            (self.phentsize, self.phnum, self.shentsize, self.shnum, self.shstrndx) = \
                struct.unpack_from(self.e + "HHHHH", data, 0x2A)
        self.ehsize = 64 if self.is64 else 52

    def progs(self):
        for i in range(self.phnum):
            o = self.phoff + i * self.phentsize
            if self.is64:
                t, fl, off, va, _pa, fsz, msz, _al = struct.unpack_from(self.e + "IIQQQQQQ", self.d, o)
            else:
                t, off, va, _pa, fsz, msz, fl, _al = struct.unpack_from(self.e + "IIIIIIII", self.d, o)
            yield dict(type=t, flags=fl, off=off, vaddr=va, filesz=fsz)

    def sections(self):
        if self.shoff == 0 or self.shnum == 0:
            return []
        out = []
        for i in range(self.shnum):
            o = self.shoff + i * self.shentsize
            if self.is64:
                nm, t, _fl, addr, off, size = struct.unpack_from(self.e + "IIQQQQ", self.d, o)
            else:
                nm, t, _fl, addr, off, size = struct.unpack_from(self.e + "IIIIII", self.d, o)
            out.append(dict(name_off=nm, type=t, addr=addr, off=off, size=size))
        strtab = out[self.shstrndx]
        for s in out:
            start = strtab["off"] + s["name_off"]
            s["name"] = self.d[start:self.d.index(b"\0", start)].decode()
        return out

    def section(self, name):
        return next((s for s in self.sections() if s["name"] == name), None)

    def offset_of(self, vaddr):
        for p in self.progs():
            if p["type"] == 1 and p["vaddr"] <= vaddr < p["vaddr"] + p["filesz"]:
                return p["off"] + vaddr - p["vaddr"]
        raise ValueError(f"address {vaddr:#x} not in a loaded segment")

    def buildinfo_offset(self):
        s = self.section(".go.buildinfo")
        if s:
            start = s["off"]
        else:
            p = next(p for p in self.progs() if p["type"] == 1 and p["flags"] & 3 == 2)
            start = p["off"]
        window = self.d[start:start + 64 * 1024]
        i = 0
        while True:
            i = window.find(MAGIC, i)
            if i < 0:
                raise ValueError("no build info")
            if i % 16 == 0:
                return start + i
            i += 1


def uvarint(d, o):
    x = s = 0
    while True:
        b = d[o]
        o += 1
        x |= (b & 0x7F) << s
        s += 7
        if b < 0x80:
            return x, o


def buildinfo_ranges(elf):
    """File ranges holding the Go build-info blob and the strings it refers to."""
    d = elf.d
    b = elf.buildinfo_offset()
    ranges = [(b, b + 32)]
    ptr, flags = d[b + 14], d[b + 15]
    if flags & 2:
        o = b + 32
        for _ in range(2):
            n, o2 = uvarint(d, o)
            ranges.append((o, o2 + n))
            o = o2 + n
        return ranges
    fmt = elf.e + ("I" if ptr == 4 else "Q")
    for k in range(2):
        hdr_addr = struct.unpack_from(fmt, d, b + 16 + k * ptr)[0]
        h = elf.offset_of(hdr_addr)
        ranges.append((h, h + 2 * ptr))
        data_addr, n = struct.unpack_from(elf.e + ("II" if ptr == 4 else "QQ"), d, h)
        s = elf.offset_of(data_addr)
        ranges.append((s, s + n))
    return ranges


def pointerize(path, vers_addr, mod_addr):
    d = bytearray(open(path, "rb").read())
    elf = ELF(bytes(d))
    b = elf.buildinfo_offset()
    ptr = d[b + 14]
    d[b + 15] &= ~2 & 0xFF
    fmt = elf.e + ("II" if ptr == 4 else "QQ")
    struct.pack_into(fmt, d, b + 16, vers_addr, mod_addr)
    open(path, "wb").write(d)


def drop_section_headers(path):
    d = bytearray(open(path, "rb").read())
    elf = ELF(bytes(d))
    if elf.is64:
        struct.pack_into(elf.e + "Q", d, 0x28, 0)
        struct.pack_into(elf.e + "HH", d, 0x3C, 0, 0)
    else:
        struct.pack_into(elf.e + "I", d, 0x20, 0)
        struct.pack_into(elf.e + "HH", d, 0x30, 0, 0)
    open(path, "wb").write(d)


def sparsify(path, out, names):
    d = open(path, "rb").read()
    elf = ELF(d)
    keep = [(0, elf.ehsize), (elf.phoff, elf.phoff + elf.phnum * elf.phentsize)]
    secs = elf.sections()
    if secs:
        keep.append((elf.shoff, elf.shoff + elf.shnum * elf.shentsize))
        st = secs[elf.shstrndx]
        keep.append((st["off"], st["off"] + st["size"]))
        for s in secs:
            if s["name"] in names:
                keep.append((s["off"], s["off"] + s["size"]))
    try:
        keep += buildinfo_ranges(elf)
    except (ValueError, StopIteration):
        pass
    o = bytearray(len(d))
    for a, z in keep:
        o[a:z] = d[a:z]
    open(out, "wb").write(o)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "pointerize":
        pointerize(sys.argv[2], int(sys.argv[3], 16), int(sys.argv[4], 16))
    elif cmd == "drop-section-headers":
        drop_section_headers(sys.argv[2])
    elif cmd == "sparsify":
        sparsify(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
