// The chat page: sends a message to the user's own agent through mosaicd's chat completions
// API (the session cookie and its CSRF token, as the API asks of a browser) and shows the answer
// as it streams in. While a stopped agent starts, mosaicd sends SSE comments
// (": waiting for your agent to start (3s)"): they show as "Starting your agent…".
// Conversations are kept in this browser, each with its own OpenClaw session key, so the agent
// keeps the thread on its side.

const root = document.getElementById("chat");
const csrf = root.dataset.csrf;
const storageKey = `mosaic.chat.${root.dataset.user}`;
const list = document.getElementById("conversation-list");
const messages = document.getElementById("messages");
const title = document.getElementById("conversation-title");
const statusLine = document.getElementById("chat-status");
const errorLine = document.getElementById("chat-error");
const composer = document.getElementById("composer");
const input = document.getElementById("message");
const send = document.getElementById("send");
const agent = document.getElementById("agent");

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey) || "null");
    if (saved && Array.isArray(saved.conversations)) return saved;
  } catch {
    // A damaged store starts afresh.
  }
  return { conversations: [], current: null };
}

let state = load();

function save() {
  try {
    localStorage.setItem(storageKey, JSON.stringify(state));
  } catch {
    // Storage full or disabled: the conversation goes on, unsaved.
  }
}

function newKey() {
  const id = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  return `console-${id}`;
}

function current() {
  return state.conversations.find((c) => c.key === state.current) || null;
}

function startConversation() {
  const conversation = { key: newKey(), title: "New conversation", agent: agent ? agent.value : "openclaw", messages: [] };
  state.conversations.unshift(conversation);
  state.current = conversation.key;
  save();
  render();
  input.focus();
}

function renderList() {
  list.replaceChildren();
  for (const conversation of state.conversations) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = conversation.title;
    button.title = conversation.title;
    if (conversation.key === state.current) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => {
      state.current = conversation.key;
      save();
      render();
    });
    item.append(button);
    list.append(item);
  }
}

function bubble(role, text) {
  const item = document.createElement("li");
  item.className = role;
  item.textContent = text;
  return item;
}

function renderMessages() {
  const conversation = current();
  messages.replaceChildren();
  title.textContent = conversation ? conversation.title : "New conversation";
  if (!conversation || conversation.messages.length === 0) {
    const empty = bubble("empty", "Say something to your agent. Its first answer may take a moment while it starts.");
    empty.id = "empty-conversation";
    messages.append(empty);
    return;
  }
  for (const message of conversation.messages) {
    const item = bubble(message.role, message.content);
    if (message.failed) item.classList.add("failed");
    messages.append(item);
  }
  messages.scrollTop = messages.scrollHeight;
}

function render() {
  renderList();
  renderMessages();
  if (agent && current()) agent.value = current().agent || agent.value;
}

function showStatus(text) {
  statusLine.textContent = text;
  statusLine.hidden = !text;
}

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = !text;
}

// What mosaicd or the agent said went wrong, in its words.
async function failureText(response) {
  if (response.status === 401) return "Your session has ended. Reload the page to log in again.";
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // Not JSON: fall back to the status.
  }
  return `The request failed (HTTP ${response.status}).`;
}

async function ask(conversation, text, answer) {
  const response = await fetch("/api/chat/completions", {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "content-type": "application/json",
      "x-csrf-token": csrf,
      "x-openclaw-session-key": conversation.key,
    },
    body: JSON.stringify({
      model: conversation.agent || "openclaw",
      stream: true,
      messages: [{ role: "user", content: text }],
    }),
  });
  if (!response.ok) throw new Error(await failureText(response));

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let content = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (line.startsWith(":")) {
          // A heartbeat while the agent's container starts.
          const waited = line.match(/\((\d+)s\)/);
          showStatus(waited ? `Starting your agent… (${waited[1]} s)` : "Starting your agent…");
          continue;
        }
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") return content;
        let chunk;
        try {
          chunk = JSON.parse(data);
        } catch {
          continue;
        }
        if (chunk.error) throw new Error(chunk.error.message || "Your agent could not answer.");
        const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
        if (delta && typeof delta.content === "string" && delta.content) {
          showStatus("");
          content += delta.content;
          answer.textContent = content;
          messages.scrollTop = messages.scrollHeight;
        }
      }
    }
  }
  return content;
}

composer.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  if (!current()) startConversation();
  const conversation = current();
  if (conversation.messages.length === 0) conversation.title = text.slice(0, 60);
  conversation.messages.push({ role: "user", content: text });
  save();
  render();
  input.value = "";
  showError("");
  send.disabled = true;

  const answer = bubble("assistant", "");
  answer.classList.add("streaming");
  answer.id = "streaming-answer";
  messages.append(answer);
  try {
    const content = await ask(conversation, text, answer);
    conversation.messages.push({ role: "assistant", content });
  } catch (error) {
    answer.remove();
    conversation.messages.push({ role: "assistant", content: `⚠ ${error.message}`, failed: true });
    showError(error.message);
  } finally {
    showStatus("");
    send.disabled = false;
    save();
    render();
    input.focus();
  }
});

// Enter sends, Shift+Enter makes a new line.
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

document.getElementById("new-conversation").addEventListener("click", startConversation);
if (agent) {
  agent.addEventListener("change", () => {
    const conversation = current();
    if (conversation && conversation.messages.length === 0) {
      conversation.agent = agent.value;
      save();
    }
  });
}

render();
