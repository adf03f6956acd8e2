"""Run built pages in headless Chromium and compare their results with the references."""
