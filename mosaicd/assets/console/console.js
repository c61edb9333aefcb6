// Small niceties for every console page. Everything here is optional: each form works without
// script, posting to the server as usual.

// Forms that change something hard to undo ask first.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// "Copy" buttons next to a value shown once (a new API token, an invite link).
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = "Copied";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Selected: copy it now";
    }
  });
}

// The session ends at a fixed time at the latest: go to the login page then, rather than
// failing at the next click.
const expires = Number(document.body.dataset.sessionExpires || 0);
if (expires > 0) {
  const wait = expires - Date.now();
  const leave = () => {
    const next = encodeURIComponent(location.pathname + location.search);
    location.assign(`/login?done=expired&next=${next}`);
  };
  if (wait <= 0) leave();
  else if (wait < 2 ** 31 - 1) setTimeout(leave, wait);
}

// The invite link carries its token in the fragment, which browsers never send to a server:
// put it into the form and take it out of the address bar.
const inviteForm = document.querySelector("form[data-invite-form]");
if (inviteForm) {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) {
    inviteForm.querySelector("#token").value = token;
    inviteForm.querySelector("[data-invite-token-field]").hidden = true;
    history.replaceState(null, "", location.pathname);
  }
}

// Logging out forgets the conversations this browser kept for the chat page.
const logout = document.querySelector("form.logout");
if (logout) {
  logout.addEventListener("submit", () => {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith("mosaic.chat.")) localStorage.removeItem(key);
    }
  });
}
