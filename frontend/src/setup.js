// The CodeMirror 6 setup shared by the form editor (editor.js) and the live room (live.js):
// one list of extensions, one theme, one set of languages.
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  placeholder as placeholderExt,
} from "@codemirror/view";
import {
  defaultKeymap,
  history,
  historyKeymap,
  indentWithTab,
} from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  LanguageSupport,
  syntaxHighlighting,
} from "@codemirror/language";
import { pythonLanguage } from "@codemirror/lang-python";
import { markdownLanguage } from "@codemirror/lang-markdown";

export const LANGUAGES = ["python", "text", "markdown"];

export function languageExtension(language) {
  // The language alone, not python(): that one adds completion of Python's globals, which
  // needs the autocompletion package and is more than an interview editor should offer.
  if (language === "python") return new LanguageSupport(pythonLanguage);
  // Only the language itself, not markdown(): that one also brings the HTML, CSS and
  // JavaScript parsers for embedded code, tripling the bundle.
  if (language === "markdown") return new LanguageSupport(markdownLanguage);
  return [];
}

// A light theme: CodeMirror's default look plus a visible frame and focus ring that follow the
// page's font size. Colours of the syntax come from defaultHighlightStyle.
export const lightTheme = EditorView.theme(
  {
    "&": {
      backgroundColor: "#ffffff",
      color: "#1f2328",
      border: "1px solid #d0d7de",
      borderRadius: "4px",
      fontSize: "0.95em",
    },
    "&.cm-focused": { outline: "2px solid #0969da", outlineOffset: "1px" },
    ".cm-scroller": {
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
      lineHeight: "1.5",
      minHeight: "8em",
    },
    ".cm-gutters": {
      backgroundColor: "#f6f8fa",
      color: "#6e7781",
      borderRight: "1px solid #d0d7de",
    },
    ".cm-activeLine": { backgroundColor: "#f6f8fa80" },
    ".cm-activeLineGutter": { backgroundColor: "#eaeef2" },
    "&.cm-readonly .cm-content": { cursor: "default" },
  },
  { dark: false },
);


// The editing extensions of every hireloop editor (the caller adds its own listeners).
export function baseExtensions(language, readOnly) {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of("    "),
    EditorState.tabSize.of(4),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    bracketMatching(),
    highlightActiveLine(),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    languageExtension(language),
    lightTheme,
    EditorState.readOnly.of(readOnly),
    EditorView.editable.of(!readOnly),
  ];
}
