// The conversation page: the transcript follows the player (sentence and word highlighted as it plays),
// and any sentence, insight or mention with a time seeks the player there.
"use strict";
(() => {
  const media = document.querySelector("[data-player]");
  const list = document.getElementById("transcript");
  const sentences = list ? Array.from(list.querySelectorAll("[data-start]")) : [];
  const starts = sentences.map((el) => parseFloat(el.dataset.start));
  let current = -1;
  let currentWord = null;

  // The last sentence starting at or before `time` (binary search: long meetings have thousands).
  function indexAt(time) {
    let low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle] <= time + 0.05) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found;
  }

  function keepVisible(item) {
    // Scroll the transcript pane only (never the page) when the sentence leaves it.
    if (list.scrollHeight <= list.clientHeight) return;
    const top = item.offsetTop, bottom = top + item.offsetHeight;
    if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    }
  }

  function highlightWord(sentence, time) {
    let word = null;
    for (const span of sentence.querySelectorAll("[data-w]")) {
      if (parseFloat(span.dataset.w) <= time + 0.05) word = span; else break;
    }
    if (word === currentWord) return;
    if (currentWord) currentWord.classList.remove("is-word");
    if (word) word.classList.add("is-word");
    currentWord = word;
  }

  function highlight(time) {
    const index = indexAt(time);
    if (index !== current) {
      if (current >= 0) {
        const previous = sentences[current].closest("li");
        previous.classList.remove("is-current");
        sentences[current].removeAttribute("aria-current");
      }
      if (index >= 0) {
        const item = sentences[index].closest("li");
        item.classList.add("is-current");
        sentences[index].setAttribute("aria-current", "true");
        keepVisible(item);
      }
      current = index;
      list.dataset.current = String(index);
    }
    if (index >= 0) highlightWord(sentences[index], time);
  }

  if (media && list) {
    let frame = 0;
    const follow = () => { highlight(media.currentTime); frame = media.paused ? 0 : requestAnimationFrame(follow); };
    media.addEventListener("play", () => { if (!frame) frame = requestAnimationFrame(follow); });
    media.addEventListener("timeupdate", () => highlight(media.currentTime));
    media.addEventListener("seeked", () => highlight(media.currentTime));
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-seek]");
    if (!target || !media) return; // without a player, links just jump to the sentence
    event.preventDefault();
    const time = parseFloat(target.dataset.seek);
    media.currentTime = time;
    if (list) highlight(time);
    if (!target.closest("#transcript") && list && current >= 0) sentences[current].focus();
    media.play().catch(() => {}); // a browser may refuse to start sound; the seek still happened
  });
})();
