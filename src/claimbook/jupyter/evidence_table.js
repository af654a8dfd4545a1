// The workbench's evidence table, drawn in the browser from one model value (`table`: the
// claim, the view's generation and its rows as data), so a claim switch is one message, not a
// hundred widgets. Every string from the review lands through textContent or an attribute,
// never as HTML; the only link is one the kernel made with claimbook.ids.safe_url, checked
// again here. Each edit is sent to the kernel with the claim and the generation of the view it
// was made in: the kernel refuses one made on a view that is no longer shown.
// The classes are those the ipywidgets rows had (workbench.css styles them).

function el(tag, classes, text) {
  const node = document.createElement(tag);
  if (classes) node.className = classes;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function safeHref(href) {
  return typeof href === "string" && /^https?:\/\//i.test(href) ? href : null;
}

function widgetBox(kind, name, i, width) {
  const box = el("div", `jupyter-widgets widget-inline-hbox widget-${kind} cb-${name} cb-${name}-${i}`);
  if (width) box.style.width = width;
  return box;
}

function button(classes, label, icon, width, tip) {
  const b = el("button", `jupyter-widgets jupyter-button widget-button ${classes}`);
  if (icon) b.appendChild(el("i", `fa fa-${icon}`));
  b.appendChild(document.createTextNode(icon ? ` ${label}` : label));
  if (width) b.style.width = width;
  if (tip) b.title = tip;
  return b;
}

function paperLabel(p, i) {
  const box = el("div", `jupyter-widgets widget-html cb-paper cb-paper-${i}`);
  box.style.width = "14em";
  const inner = el("div", "widget-html-content");
  const div = el("div");
  if (p.title) div.title = p.title;
  div.appendChild(el("b", "", `${p.who}${p.year ? " " + p.year : ""}`));
  div.appendChild(el("br"));
  const href = safeHref(p.href);
  if (href) {
    const a = el("a", "", p.ident);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    div.appendChild(a);
  } else {
    div.appendChild(document.createTextNode(p.ident));
  }
  if (p.retracted) {
    const r = el("div", "cb-retracted");
    r.appendChild(el("b", "", "retracted"));
    div.appendChild(r);
  }
  if (p.not_in_pubmed) div.appendChild(el("div", "cb-note cb-not-in-pubmed", "not in PubMed"));
  if (p.design_note) div.appendChild(el("div", "cb-note cb-design-note", p.design_note));
  inner.appendChild(div);
  box.appendChild(inner);
  return box;
}

function select(options, value, disabled, tip) {
  const s = el("select");
  for (const [label, v] of options) {
    const o = el("option", "", label);
    o.value = v;
    if (v === value) o.selected = true;
    s.appendChild(o);
  }
  s.disabled = disabled;
  if (tip) s.title = tip;
  return s;
}

function drawRow(model, table, row, i, send) {
  const fixed = row.ident === null;
  const tip = row.tip;
  const box = el("div", `jupyter-widgets widget-container widget-box cb-row-${i} cb-row cb-row-fields cb-for-${table.claim}`);
  box.appendChild(paperLabel(row.paper, i));
  const controls = {};

  function field(name, kind, node, width, what) {
    const wrap = widgetBox(kind, name, i, width);
    node.disabled = fixed;
    node.title = `${what} ${tip}`;
    wrap.appendChild(node);
    controls[name] = node;
    let sent = node.value;
    const changed = () => {
      if (node.value === sent) return;
      sent = node.value;
      send({ action: "set", row: i, field: name, value: node.value });
    };
    node.addEventListener("change", changed);
    if (node.tagName === "INPUT") {
      node.addEventListener("keydown", (e) => { if (e.key === "Enter") changed(); });
    }
    node._cbReset = (value) => { node.value = value; sent = value; };
    return wrap;
  }

  const stances = table.stances.map((s) => [s, s]);
  box.appendChild(field("stance", "dropdown", select(stances, row.stance), "9em", "Stance of"));
  box.appendChild(field("design", "dropdown", select(table.designs, row.design), "12em", "Design of"));
  const n = el("input");
  n.type = "text";
  n.placeholder = "n";
  n.value = row.n;
  box.appendChild(field("n", "text", n, "5em", "Participants in"));
  const finding = el("textarea");
  finding.value = row.finding;
  finding.style.height = "6.5em";
  const findingBox = field("finding", "textarea", finding, "100%", "Finding of");
  findingBox.style.height = "6.5em";
  box.appendChild(findingBox);
  const exclude = button(`cb-exclude cb-exclude-${i}`, "Exclude…", "ban", "8em",
    `Exclude ${tip} from the evidence, with a reason`);
  exclude.disabled = fixed;
  box.appendChild(exclude);
  const note = el("input");
  note.type = "text";
  note.placeholder = "note (optional)";
  note.value = row.note;
  box.appendChild(field("note", "text", note, "100%", "Note on"));
  const remove = button(`cb-remove cb-remove-${i}`, "Remove…", "trash", "8em",
    `Remove the citation of ${tip} (a mistake, not a screening decision: use Exclude for that)`);
  remove.disabled = fixed;
  box.appendChild(remove);

  // the confirmation under the row, drawn when asked for (nothing goes to the kernel until
  // the reviewer confirms)
  const confirm = el("div", "jupyter-widgets widget-container widget-box widget-hbox cb-line");
  confirm.style.display = "none";
  box.appendChild(confirm);
  function ask(what) {
    confirm.replaceChildren();
    const cancel = button("", "Cancel", null, "7em");
    cancel.addEventListener("click", () => { confirm.style.display = "none"; confirm.replaceChildren(); });
    if (what === "exclude") {
      const wrap = widgetBox("text", "exclude-reason", i, "30em");
      const reason = el("input");
      reason.type = "text";
      reason.placeholder = "why it is excluded (at least 5 characters)";
      wrap.appendChild(reason);
      const ok = button(`mod-danger cb-exclude-confirm-${i}`, "Exclude", null, "8em");
      ok.addEventListener("click", () => send({ action: "exclude", row: i, reason: reason.value }));
      confirm.append(wrap, ok, cancel);
    } else {
      const question = el("div", "jupyter-widgets widget-html");
      question.appendChild(el("div", "widget-html-content", `Remove the citation of ${row.ident}?\u00a0`));
      const ok = button(`mod-danger cb-remove-confirm-${i}`, "Remove", null, "8em");
      ok.addEventListener("click", () => send({ action: "remove", row: i }));
      confirm.append(question, ok, cancel);
    }
    confirm.style.display = "";
  }
  exclude.addEventListener("click", () => ask("exclude"));
  remove.addEventListener("click", () => ask("remove"));
  return { box, controls, label: box.firstChild };
}

function render({ model, el: root }) {
  root.classList.add("cb-evidence-table");
  let drawn = [];

  function draw() {
    const table = model.get("table") || {};
    const rows = table.rows || [];
    const send = (content) => model.send({ ...content, claim: table.claim, generation: table.generation });
    const header = el("div", "cb-evidence-header");
    for (const [css, text] of [["cb-col-paper", "paper"], ["cb-col-stance", "stance"],
      ["cb-col-design", "design"], ["cb-col-n", "n"], ["", "finding · note"]]) {
      header.appendChild(el("span", css, text));
    }
    const headerBox = el("div", "jupyter-widgets widget-html"); // spaced as the widgets were
    const headerInner = el("div", "widget-html-content");
    headerInner.appendChild(header);
    headerBox.appendChild(headerInner);
    drawn = rows.map((row, i) => drawRow(model, table, row, i, send));
    if (table.claim === undefined || table.claim === null) {
      root.replaceChildren();
    } else if (rows.length) {
      root.replaceChildren(headerBox, ...drawn.map((r) => r.box));
    } else {
      root.replaceChildren(el("div", "cb-note", "No citations yet: cite a paper below."));
    }
  }

  function onMessage(msg) {
    const table = model.get("table") || {};
    if (!msg || msg.generation !== table.generation) return; // for a view no longer drawn
    if (msg.kind === "value") {
      const row = drawn[msg.row];
      if (row && row.controls[msg.field]) row.controls[msg.field]._cbReset(msg.value);
    } else if (msg.kind === "labels") {
      msg.papers.forEach((p, i) => {
        const row = drawn[i];
        if (row) {
          const label = paperLabel(p, i);
          row.box.replaceChild(label, row.label);
          row.label = label;
        }
      });
    }
  }

  draw();
  model.on("change:table", draw);
  model.on("msg:custom", onMessage);
  return () => {
    model.off("change:table", draw);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
