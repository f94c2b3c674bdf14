// Injected into a copy of a perfreport page by tests/cli/browser.rs and run by headless
// Chromium at the end of <body>: measures the laid-out page and writes what it found into
// <pre id="perfreport-layout"> (URI-encoded JSON), which `chromium --dump-dom` prints.
(function () {
  var problems = [];
  var MIN_PX = 12;
  function px(v) { return parseFloat(v) || 0; }
  function contentWidth(el) {
    var s = getComputedStyle(el);
    return el.clientWidth - px(s.paddingLeft) - px(s.paddingRight);
  }
  function name(el) {
    return (el.getAttribute('aria-label') || el.tagName).slice(0, 80);
  }
  var svgs = document.querySelectorAll('figure svg');
  var texts = 0;
  svgs.forEach(function (svg) {
    var fig = svg.closest('figure');
    var box = svg.getBoundingClientRect();
    // The chart fills its figure…
    if (box.width < fig.clientWidth - 1) {
      problems.push('chart `' + name(svg) + '` is ' + box.width.toFixed(0) + ' px wide in a ' +
        fig.clientWidth + '-px figure');
    }
    // …and the figure its card: the section, or its cell of a two-column grid.
    var grid = fig.parentElement.closest('.pair, .multiples');
    var card = grid || fig.closest('section');
    var want = contentWidth(card);
    if (grid) {
      var cols = getComputedStyle(grid).gridTemplateColumns.split(' ').length;
      want = (want - px(getComputedStyle(grid).columnGap) * (cols - 1)) / cols;
    }
    if (box.width < want - 2) {
      problems.push('chart `' + name(svg) + '` is ' + box.width.toFixed(0) +
        ' px wide; its card gives it ' + want.toFixed(0) + ' px');
    }
    var scale = svg.getScreenCTM() ? svg.getScreenCTM().a : 1;
    svg.querySelectorAll('text').forEach(function (t) {
      if (!t.textContent.trim()) return;
      texts++;
      var size = px(getComputedStyle(t).fontSize) * scale;
      if (size < MIN_PX) {
        problems.push('text `' + t.textContent.slice(0, 40) + '` in `' + name(svg) + '` is ' +
          size.toFixed(1) + ' px');
      }
      var r = t.getBoundingClientRect();
      if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
        problems.push('text `' + t.textContent.slice(0, 40) + '` sticks out of `' + name(svg) + '`');
      }
    });
  });
  // Text of the page itself: every element that holds text directly.
  var html = 0;
  document.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('svg') || el.tagName === 'STYLE' || el.tagName === 'SCRIPT') return;
    var direct = Array.prototype.some.call(el.childNodes, function (n) {
      return n.nodeType === 3 && n.textContent.trim();
    });
    if (!direct) return;
    html++;
    var size = px(getComputedStyle(el).fontSize);
    if (size < MIN_PX) {
      problems.push('page text `' + el.textContent.trim().slice(0, 40) + '` is ' + size + ' px');
    }
  });
  var out = document.createElement('pre');
  out.id = 'perfreport-layout';
  out.textContent = encodeURIComponent(JSON.stringify({
    window: window.innerWidth, charts: svgs.length, chart_texts: texts, page_texts: html,
    problems: problems
  }));
  document.body.appendChild(out);
})();
