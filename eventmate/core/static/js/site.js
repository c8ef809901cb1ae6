// EventMate: small progressive enhancements. Every page works without this file.
"use strict";

// ---------------------------------------------------------------------------------------------
// Discovery: search-bar autocomplete, "load more" results, sort on change, filters on phones,
// favourite toggle, event gallery. Plain DOM, no inline handlers (the CSP forbids them).
// ---------------------------------------------------------------------------------------------
(function () {
  document.documentElement.classList.add("js");

  function formatDay(isoString) {
    // The server sends the event's local time with its offset; show that local day.
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(isoString || "");
    if (!match) return "";
    const day = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5]));
    return day.toLocaleDateString(undefined, {
      weekday: "short", month: "short", day: "numeric", timeZone: "UTC",
    });
  }

  // Autocomplete: <input data-autocomplete="/search/autocomplete/"> becomes an ARIA combobox.
  let listCounter = 0;
  function setUpAutocomplete(input) {
    const endpoint = input.dataset.autocomplete;
    const list = document.createElement("ul");
    const listId = "autocomplete-" + (++listCounter);
    list.id = listId;
    list.className = "autocomplete-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.parentElement.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    let options = [];
    let active = -1;
    let timer = null;
    let controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function addGroup(label) {
      const item = document.createElement("li");
      item.className = "autocomplete-group";
      item.setAttribute("role", "presentation");
      item.textContent = label;
      list.appendChild(item);
    }
    function addOption(title, detail, url) {
      const item = document.createElement("li");
      item.className = "autocomplete-option";
      item.id = listId + "-" + options.length;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.url = url;
      const strong = document.createElement("span");
      strong.textContent = title;
      item.appendChild(strong);
      if (detail) {
        const small = document.createElement("small");
        small.textContent = detail;
        item.appendChild(small);
      }
      // mousedown, not click: the input keeps focus, so blur does not close the list first.
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        window.location.href = url;
      });
      list.appendChild(item);
      options.push(item);
    }
    function render(data) {
      list.replaceChildren();
      options = [];
      active = -1;
      if (data.cities && data.cities.length) {
        addGroup("Cities");
        data.cities.forEach((city) => addOption(city.name, "All events in " + city.name, city.url));
      }
      if (data.events && data.events.length) {
        addGroup("Events");
        data.events.forEach((event) => {
          addOption(event.title, [formatDay(event.starts_at), event.city].filter(Boolean).join(" · "), event.url);
        });
      }
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }
    async function lookUp() {
      const text = input.value.trim();
      if (text.length < 2) { close(); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const url = endpoint + "?q=" + encodeURIComponent(text);
        const response = await fetch(url, {
          headers: { Accept: "application/json" }, signal: controller.signal,
        });
        if (response.ok) render(await response.json());
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden || !options.length) {
        if (event.key === "ArrowDown" && input.value.trim().length >= 2) lookUp();
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = options[active].dataset.url;
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  // "Load more": fetch the next page's cards (?partial=1) and append them to the grid.
  async function loadMore(link) {
    const results = link.closest("[data-results]");
    const grid = results && results.querySelector("[data-results-grid]");
    if (!grid) { window.location.href = link.href; return; }
    link.setAttribute("aria-busy", "true");
    const url = new URL(link.href, window.location.href);
    url.searchParams.set("partial", "1");
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const cards = Array.from(page.querySelectorAll("[data-results-grid] > *"));
      grid.append(...cards);
      const oldPagination = results.querySelector("[data-pagination]");
      const newPagination = page.querySelector("[data-pagination]");
      if (oldPagination && newPagination) oldPagination.replaceWith(newPagination);
      const next = page.querySelector("[data-load-more]");
      if (next) {
        link.href = next.getAttribute("href");
        link.removeAttribute("aria-busy");
      } else {
        link.closest(".load-more-row").remove();
      }
      // Keyboard and screen-reader users continue from the first new result.
      const firstLink = cards.length && cards[0].querySelector("a");
      if (firstLink) firstLink.focus({ preventScroll: true });
    } catch (error) {
      window.location.href = link.href;
    }
  }

  // Favourite toggle: POST with the form's CSRF token and read {"favorited": bool}.
  async function toggleFavorite(form) {
    const button = form.querySelector("[data-favorite-button]");
    const label = form.querySelector("[data-favorite-label]");
    if (button) button.disabled = true;
    try {
      // getAttribute: the form's hidden "action" field shadows the form.action property.
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (response.ok && type.includes("application/json")) {
        const data = await response.json();
        const on = Boolean(data.favorited);
        if (button) {
          button.setAttribute("aria-pressed", String(on));
          button.classList.toggle("is-active", on);
        }
        if (label) label.textContent = on ? "Saved" : "Save";
        const action = form.querySelector("[data-favorite-action]");
        if (action) action.value = on ? "remove" : "add";
      } else if (response.ok) {
        window.location.reload(); // the server answered with a page: it has toggled already
      } else {
        form.submit(); // let the server's own page explain (log-in, rate limit, …)
      }
    } catch (error) {
      form.submit();
    } finally {
      if (button) button.disabled = false;
    }
  }

  function init() {
    document.querySelectorAll("input[data-autocomplete]").forEach(setUpAutocomplete);
    if (window.matchMedia("(max-width: 999px)").matches) {
      document.querySelectorAll("details[data-collapse-on-phone]").forEach((details) => {
        details.open = false;
      });
    }
  }

  document.addEventListener("click", (event) => {
    const more = event.target.closest("[data-load-more]");
    if (more) {
      event.preventDefault();
      loadMore(more);
      return;
    }
    const thumb = event.target.closest("[data-gallery-thumb]");
    const main = document.querySelector("[data-gallery-main]");
    if (thumb && main) {
      event.preventDefault();
      const image = thumb.querySelector("img");
      main.src = thumb.getAttribute("href");
      main.alt = image ? image.alt : "";
      document.querySelectorAll("[data-gallery-thumb]").forEach((other) => {
        other.classList.toggle("is-current", other === thumb);
        if (other === thumb) other.setAttribute("aria-current", "true");
        else other.removeAttribute("aria-current");
      });
    }
  });
  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  });
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-favorite-form]");
    if (form) {
      event.preventDefault();
      toggleFavorite(form);
      return;
    }
    // Search forms: leave empty fields out of the URL, so links stay short and shareable.
    if (event.target.matches("form[role=search]")) {
      Array.from(event.target.elements).forEach((field) => {
        if (field.name && !field.disabled && field.value === "" && field.type !== "submit") {
          field.disabled = true;
          field.dataset.emptied = "1";
        }
      });
    }
  });
  // Back/forward cache: give the fields disabled above back to the restored page.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("[data-emptied]").forEach((field) => {
      field.disabled = false;
      delete field.dataset.emptied;
    });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
