() => {
  /* What does not fit a phone screen (tests/e2e/test_fit_360.py): the page scrolls sideways, an element reaches past
     the right edge without a scrolling box of its own (a table inside .table-wrap may scroll), or text is squeezed to
     one character per line (a cell or label narrower than 2.5 characters holding a longer text over 3+ lines). */
  const width = document.documentElement.clientWidth;
  const found = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const scrolls = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > width) found.push(`page is ${document.documentElement.scrollWidth}px wide`);
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= 0) continue;  // hidden, or a skip link parked off-screen
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    if (box.right > width + 0.5 && !scrolls(el)) found.push(`${name(el)} reaches ${Math.round(box.right)}px`);
    const text = (el.innerText || "").trim();
    if (["TD", "TH", "LABEL", "A", "BUTTON", "LI", "DD", "DT"].includes(el.tagName) && text.length >= 3) {
      const em = parseFloat(style.fontSize);
      const line = parseFloat(style.lineHeight) || em * 1.6;
      if (box.width < 2.5 * em && box.height > 2.5 * line) found.push(`${name(el)} "${text.slice(0, 12)}" is one character wide`);
    }
  }
  return found.slice(0, 8);
}
