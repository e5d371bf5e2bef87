// hireloop's code editor: CodeMirror 6 mounted in place of a <textarea>.
//
// window.HireloopEditor.mount(textarea, {language, readOnly}) -> {getValue, setValue, focus, view}
// window.HireloopEditor.mountAll(root = document) -> array of those, one per textarea[data-editor]
//
// The textarea stays in the form (hidden) and always holds the editor's text, so a plain form
// submit sends it; every change also fires a bubbling `input` event on it, so autosave code that
// listens for `input` on the form sees edits made in the editor.
import { EditorState } from "@codemirror/state";
import { EditorView, placeholder as placeholderExt } from "@codemirror/view";
import { LANGUAGES, baseExtensions } from "./setup.js";

function normaliseLanguage(language, textarea) {
  const value = (language || "text").toLowerCase();
  if (!LANGUAGES.includes(value)) {
    throw new Error(
      `HireloopEditor: language "${language}" on ${describe(textarea)} is not one of ` +
        LANGUAGES.join(", "),
    );
  }
  return value;
}

function describe(textarea) {
  if (textarea.id) return `#${textarea.id}`;
  if (textarea.name) return `textarea[name="${textarea.name}"]`;
  return "a textarea";
}

function mount(textarea, options = {}) {
  if (!(textarea instanceof HTMLTextAreaElement)) {
    throw new Error("HireloopEditor.mount: the first argument must be a <textarea> element");
  }
  if (textarea._hireloopEditor) return textarea._hireloopEditor;
  const language = normaliseLanguage(options.language, textarea);
  const readOnly = Boolean(options.readOnly);

  const syncToTextarea = EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    textarea.value = update.state.doc.toString();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });

  const extensions = [...baseExtensions(language, readOnly), syncToTextarea];
  if (textarea.placeholder) extensions.push(placeholderExt(textarea.placeholder));
  // Screen readers: the editor's content element takes the textarea's label.
  const label =
    textarea.getAttribute("aria-label") ||
    (textarea.labels && textarea.labels[0] && textarea.labels[0].textContent.trim()) ||
    "Code editor";
  extensions.push(EditorView.contentAttributes.of({ "aria-label": label }));

  const view = new EditorView({
    state: EditorState.create({ doc: textarea.value, extensions }),
  });
  if (readOnly) view.dom.classList.add("cm-readonly");
  view.dom.classList.add("hireloop-editor");
  // The editable element fires its own native `input` events; keep them inside the editor so
  // that form listeners see only the textarea's (whose target has the name and the value).
  view.dom.addEventListener("input", (event) => event.stopPropagation());
  textarea.insertAdjacentElement("afterend", view.dom);
  textarea.style.display = "none";
  textarea.setAttribute("aria-hidden", "true");
  // Clicking the textarea's <label> should focus the editor.
  if (textarea.id) {
    for (const el of textarea.labels || []) {
      el.addEventListener("click", (event) => {
        event.preventDefault();
        view.focus();
      });
    }
  }

  const handle = {
    view,
    getValue() {
      return view.state.doc.toString();
    },
    setValue(text) {
      const value = String(text ?? "");
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    },
    focus() {
      view.focus();
    },
  };
  textarea._hireloopEditor = handle;
  return handle;
}

function mountAll(root = document) {
  const handles = [];
  for (const textarea of root.querySelectorAll("textarea[data-editor]")) {
    handles.push(
      mount(textarea, {
        language: textarea.getAttribute("data-editor") || "text",
        readOnly: textarea.hasAttribute("data-readonly"),
      }),
    );
  }
  return handles;
}

window.HireloopEditor = { mount, mountAll, languages: LANGUAGES.slice() };
