#!/usr/bin/env python3
"""Writes a hash-chained comment database for bench/verify_bench.sh straight
into an amur SQLite file that `amur` has already migrated: PAGES pages of
PER_PAGE comments each (format 2 links, one version per comment, every tenth
comment a reply), plus one page `/big` of BIG comments. Hashes follow
docs/integrity.md, so `amur verify` must report every page verified."""

import hashlib
import sqlite3
import sys


def field(v):
    return b"-\n" if v is None else str(len(v.encode())).encode() + b":" + v.encode() + b"\n"


def iso(ms):
    import datetime
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def main(db_path, pages, per_page, big):
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    cid = con.execute("SELECT coalesce(max(id), 0) FROM comments").fetchone()[0]
    t0 = 1_795_000_000_000
    plan = [(f"/bench/{p}", per_page) for p in range(pages)] + ([("/big", big)] if big else [])
    for key, n in plan:
        cur = con.execute("INSERT INTO pages(key, created_at, chain_head, chain_len) VALUES (?, ?, ?, 0)",
                          (key, t0, "0" * 64))
        pid = cur.lastrowid
        prev = "0" * 64
        comments, links = [], []
        first = cid + 1
        for i in range(n):
            cid += 1
            parent = first + i - 1 if i % 10 == 9 else None
            author = f"Reader {i % 97}"
            body = f"Comment {i} on {key}: the river drew the border, and the treaty still matters."
            at = t0 + i * 1000
            chash = hashlib.sha256(b"amur-content-v1\n" + field(author) + field(body)).hexdigest()
            enc = b"amur-link-v2\n" + b"".join(field(v) for v in (
                key, f"c{cid}", None if parent is None else f"c{parent}", "approved", chash, iso(at), prev))
            h = hashlib.sha256(enc).hexdigest()
            comments.append((cid, pid, parent, 2 if parent else 1, author, body, f"<p>{body}</p>\n",
                             "approved", at, h))
            links.append((pid, i + 1, cid, 1, parent, author, "approved", body, at, author, prev, h, 2, chash))
            prev = h
        con.executemany("INSERT INTO comments(id, page_id, parent_id, depth, author_name, body_markdown, "
                        "body_html, state, created_at, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", comments)
        con.executemany("INSERT INTO links(page_id, seq, comment_id, n, parent_id, author_name, state, "
                        "body_markdown, at, editor, prev_hash, hash, format, content_hash) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", links)
        con.execute("UPDATE pages SET chain_head = ?, chain_len = ? WHERE id = ?", (prev, n, pid))
    con.commit()
    con.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
