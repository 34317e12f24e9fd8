#!/usr/bin/env python3
"""Writes a WordPress export (WXR 1.2 with wpDiscuz vote meta) of N comments to
standard output, streaming: 20 comments a post, every third a reply, every
fifth with votes, one in 50 pending, one in 100 spam. Deterministic.

usage: gen_wxr.py N > file.xml
"""
import sys

n = int(sys.argv[1])
out = sys.stdout
w = out.write
w('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
  'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
  'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
  'xmlns:dc="http://purl.org/dc/elements/1.1/" '
  'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
  '<title>Bench</title><link>https://bench.example.org</link>\n'
  '<wp:wxr_version>1.2</wp:wxr_version>\n'
  '<wp:base_site_url>https://bench.example.org</wp:base_site_url>\n')
per_post = 20
cid = 0
post = 0
while cid < n:
    post += 1
    w(f'<item><title><![CDATA[Post {post} on the Amur]]></title>\n'
      f'<link>https://bench.example.org/{2000 + post % 20}/{post % 12 + 1:02d}/post-{post}/</link>\n'
      f'<guid isPermaLink="false">https://bench.example.org/?p={post}</guid>\n'
      '<content:encoded><![CDATA[<p>The article body, which the importer skips.</p>]]></content:encoded>\n'
      f'<wp:post_id>{post}</wp:post_id><wp:comment_status><![CDATA[open]]></wp:comment_status>\n')
    first = cid + 1
    for k in range(min(per_post, n - cid)):
        cid += 1
        parent = cid - 1 if k % 3 == 2 else 0
        state = "0" if cid % 50 == 0 else ("spam" if cid % 100 == 1 else "1")
        sec = cid % 60
        minute = (cid // 60) % 60
        hour = (cid // 3600) % 24
        day = 1 + (cid // 86400) % 28
        meta = ""
        if cid % 5 == 0:
            meta = ('<wp:commentmeta><wp:meta_key><![CDATA[wpdiscuz_votes_seperate]]></wp:meta_key>'
                    f'<wp:meta_value><![CDATA[a:2:{{s:4:"like";i:{cid % 7};s:7:"dislike";i:{cid % 3};}}]]>'
                    '</wp:meta_value></wp:commentmeta>')
        w(f'<wp:comment><wp:comment_id>{cid}</wp:comment_id>'
          f'<wp:comment_author><![CDATA[Reader {cid % 977}]]></wp:comment_author>'
          f'<wp:comment_author_email><![CDATA[reader{cid % 977}@example.com]]></wp:comment_author_email>'
          f'<wp:comment_author_IP><![CDATA[198.51.100.{cid % 250}]]></wp:comment_author_IP>'
          f'<wp:comment_date><![CDATA[2021-03-{day:02d} {hour:02d}:{minute:02d}:{sec:02d}]]></wp:comment_date>'
          f'<wp:comment_date_gmt><![CDATA[2021-03-{day:02d} {hour:02d}:{minute:02d}:{sec:02d}]]></wp:comment_date_gmt>'
          f'<wp:comment_content><![CDATA[Comment {cid}: the treaty of <strong>1858</strong> moved the border '
          f'to the Amur; see <a href="https://example.com/{cid}">the map</a>.\n\nA second paragraph, '
          'written by a reader who had more to say about the river and its ice.]]></wp:comment_content>'
          f'<wp:comment_approved><![CDATA[{state}]]></wp:comment_approved>'
          '<wp:comment_type><![CDATA[comment]]></wp:comment_type>'
          f'<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>'
          f'{meta}</wp:comment>\n')
    w('</item>\n')
w('</channel>\n</rss>\n')
