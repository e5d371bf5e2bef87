// hireloop's live room: CodeMirror 6 editors bound to a Yjs document (y-codemirror.next) that a
// y-websocket provider keeps in sync with the server, with remote cursors and selections
// (awareness: each person's name and colour).
//
// const room = HireloopLive.join({url, doc, user: {name, colour}})
//   -> {doc: Y.Doc, provider, awareness}; url is the room's websocket base
//   (ws[s]://host/live/<id>/ws), doc "shared" or "panel".
// HireloopLive.bind(element, {ytext, awareness, language, readOnly}) -> EditorView
//   mounts an editor in element, bound to ytext (with the awareness's cursors when given).
// HireloopLive.Y is Yjs itself.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { yCollab } from "y-codemirror.next";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { LANGUAGES, baseExtensions } from "./setup.js";

function join({ url, doc, user }) {
  const ydoc = new Y.Doc();
  const provider = new WebsocketProvider(url, doc, ydoc, { maxBackoffTime: 2000 });
  if (user) {
    provider.awareness.setLocalStateField("user", {
      name: user.name,
      color: user.colour,
      colorLight: `${user.colour}33`,
    });
  }
  return { doc: ydoc, provider, awareness: provider.awareness };
}

function bind(element, { ytext, awareness, language = "text", readOnly = false }) {
  if (!LANGUAGES.includes(language)) {
    throw new Error(`HireloopLive: language "${language}" is not one of ${LANGUAGES.join(", ")}`);
  }
  const undoManager = new Y.UndoManager(ytext);
  const view = new EditorView({
    state: EditorState.create({
      doc: ytext.toString(),
      extensions: [
        ...baseExtensions(language, readOnly),
        yCollab(ytext, awareness || null, { undoManager }),
        EditorView.contentAttributes.of({ "aria-label": element.getAttribute("aria-label") ||
          "Shared editor" }),
      ],
    }),
    parent: element,
  });
  view.dom.classList.add("hireloop-editor");
  if (readOnly) view.dom.classList.add("cm-readonly");
  return view;
}

window.HireloopLive = { join, bind, Y };
