"""'View all comments' on the no-JavaScript page (/t?all=1) shows every
top-level thread, past the 50 of a page and the 200 of the API's largest
page, from one read of the thread (issue 12, finding 5: it used to follow up
to 50 cursors, re-reading the whole page each time)."""

import re
import unittest

from amur_harness import AmurTestCase, q, unique_page


class ViewAll(AmurTestCase):
    server_args = ("--allow-duplicates",)

    def test_all_threads_on_one_page(self):
        page = unique_page("/view-all")
        for i in range(230):
            self.post_ok(page, f"Top-level comment number {i} about the harbour.")
        first = self.server.get("/t?" + q(page=page))
        self.assertStatus(first, 200)
        self.assertEqual(len(re.findall(r'<article class="amur-comment"', first.text)), 50)
        self.assertIn("View all comments", first.text)
        every = self.server.get("/t?" + q(page=page, all=1))
        self.assertStatus(every, 200)
        self.assertEqual(len(re.findall(r'<article class="amur-comment"', every.text)), 230)
        self.assertIn("number 0 about", every.text)
        self.assertIn("number 229 about", every.text)
        newest = self.server.get("/t?" + q(page=page, all=1, sort="newest"))
        self.assertLess(newest.text.index("number 229 about"), newest.text.index("number 0 about"))


if __name__ == "__main__":
    unittest.main()
