"""The staff panel driven by a real browser (Chromium through Playwright)."""
