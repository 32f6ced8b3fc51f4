#!/usr/bin/env python3
"""Copy the header blobs of an rpm SQLite database into a Berkeley DB hash 'Packages' file.

usage: sqlite2bdb.py RPMDB.sqlite OUT_FILE [--big-endian] [--pagesize N] [--checksum]

rpm >= 4.17 cannot write Berkeley DB any more (it only reads it, bdb_ro), but the blobs it keeps
in SQLite are the bytes rpm <= 4.16 stored as values of the 'Packages' hash (key: the instance
number as a uint32 in the database's byte order; key 0: the next free instance). The records are
written in db_dump's "bytevalue" format and db5.3_load builds the database, in the byte order,
page size and with the checksums asked for.
"""
import os
import sqlite3
import struct
import subprocess
import sys

args = sys.argv[1:]
src, out = args[0], args[1]
big = "--big-endian" in args
pagesize = int(args[args.index("--pagesize") + 1]) if "--pagesize" in args else 4096
chksum = "--checksum" in args
order = ">" if big else "<"
con = sqlite3.connect(f"file:{src}?mode=ro&immutable=1", uri=True)
rows = con.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
dump = out + ".dump"
with open(dump, "w") as f:
    f.write(f"VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize={pagesize}\n")
    f.write(f"db_lorder={4321 if big else 1234}\n")
    if chksum:
        f.write("chksum=1\n")
    f.write("HEADER=END\n")
    f.write(" " + struct.pack(order + "I", 0).hex() + "\n")
    f.write(" " + struct.pack(order + "I", max(h for h, _ in rows) + 1).hex() + "\n")
    for hnum, blob in rows:
        f.write(" " + struct.pack(order + "I", hnum).hex() + "\n")
        f.write(" " + bytes(blob).hex() + "\n")
    f.write("DATA=END\n")
if os.path.exists(out):
    os.remove(out)
subprocess.run(["db5.3_load", "-f", dump, out], check=True)
os.remove(dump)
