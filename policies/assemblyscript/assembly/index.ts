// A runready policy for the core-module ABI v1, in AssemblyScript: the ABI is plain
// exports over linear memory, so any language that emits wasm can implement it.
//
// DOC-001: every severity of the model has a non-empty `description`.

// The manifest, identical to policy.yaml (the host checks metadata() against the embedded
// copy that `runready policy pack` writes).
const MANIFEST = '{"name": "severity-descriptions", "version": "1.0.0", "description": "Every severity says what it means (AssemblyScript, core ABI v1)", "abi": "core-v1", "rules": [{"id": "DOC-001", "title": "Every severity has a description", "level": "warning", "help": "Describe the severity so responders classify incidents the same way"}]}';

// ---- A small JSON reader: enough for the request's objects, arrays and strings. ----

const NULL: i32 = 0, BOOL: i32 = 1, NUM: i32 = 2, STR: i32 = 3, ARR: i32 = 4, OBJ: i32 = 5;

class JValue {
  kind: i32 = NULL;
  text: string = "";
  items: JValue[] = [];
  keys: string[] = [];

  get(key: string): JValue | null {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }
}

class Reader {
  constructor(public s: string, public i: i32 = 0) {}

  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c == 32 || c == 9 || c == 10 || c == 13) this.i++;
      else break;
    }
  }

  value(): JValue {
    this.ws();
    const v = new JValue();
    const c = this.s.charCodeAt(this.i);
    if (c == 123) { // {
      v.kind = OBJ;
      this.i++;
      this.ws();
      if (this.s.charCodeAt(this.i) == 125) { this.i++; return v; }
      while (true) {
        this.ws();
        const key = this.string();
        this.ws();
        this.i++; // :
        v.keys.push(key);
        v.items.push(this.value());
        this.ws();
        const d = this.s.charCodeAt(this.i++);
        if (d != 44) break; // ,
      }
    } else if (c == 91) { // [
      v.kind = ARR;
      this.i++;
      this.ws();
      if (this.s.charCodeAt(this.i) == 93) { this.i++; return v; }
      while (true) {
        v.items.push(this.value());
        this.ws();
        const d = this.s.charCodeAt(this.i++);
        if (d != 44) break;
      }
    } else if (c == 34) { // "
      v.kind = STR;
      v.text = this.string();
    } else {
      const start = this.i;
      while (this.i < this.s.length) {
        const d = this.s.charCodeAt(this.i);
        if (d == 44 || d == 125 || d == 93 || d == 32 || d == 10 || d == 13 || d == 9) break;
        this.i++;
      }
      v.text = this.s.substring(start, this.i);
      v.kind = v.text == "null" ? NULL : (v.text == "true" || v.text == "false") ? BOOL : NUM;
    }
    return v;
  }

  string(): string {
    this.i++; // opening quote
    let out = "";
    let start = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c == 34) break;
      if (c == 92) {
        out += this.s.substring(start, this.i);
        const e = this.s.charCodeAt(this.i + 1);
        if (e == 117) { // \uXXXX
          out += String.fromCharCode(<i32>parseInt(this.s.substring(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else {
          out += e == 110 ? "\n" : e == 116 ? "\t" : e == 114 ? "\r" : e == 98 ? "\b" : e == 102 ? "\f" : String.fromCharCode(e);
          this.i += 2;
        }
        start = this.i;
        continue;
      }
      this.i++;
    }
    out += this.s.substring(start, this.i);
    this.i++; // closing quote
    return out;
  }
}

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 34) out += '\\"';
    else if (c == 92) out += "\\\\";
    else if (c < 32) out += " ";
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

// ---- The ABI: buffers in linear memory, results packed as (ptr << 32) | len. ----

function give(s: string): i64 {
  const bytes = String.UTF8.encode(s);
  const len = bytes.byteLength;
  const ptr = heap.alloc(<usize>len);
  memory.copy(ptr, changetype<usize>(bytes), <usize>len);
  return (<i64>ptr << 32) | <i64>len;
}

export function runready_abi_version(): i32 {
  return 1;
}

export function runready_alloc(len: i32): i32 {
  return <i32>heap.alloc(<usize>(len > 0 ? len : 1));
}

export function runready_free(ptr: i32, len: i32): void {
  heap.free(<usize>ptr);
}

export function runready_metadata(): i64 {
  return give(MANIFEST);
}

export function runready_validate_settings(ptr: i32, len: i32): i64 {
  return give("{}");
}

export function runready_evaluate(ptr: i32, len: i32): i64 {
  const request = new Reader(String.UTF8.decodeUnsafe(<usize>ptr, <usize>len)).value();
  const model = request.get("model");
  if (model == null || model.kind != OBJ) {
    return give('{"error": {"kind": "invalid_input", "message": "the request has no model"}}');
  }
  const severities = model.get("severities");
  let findings = "";
  if (severities != null && severities.kind == ARR) {
    for (let i = 0; i < severities.items.length; i++) {
      const sev = severities.items[i];
      const id = sev.get("id");
      const description = sev.get("description");
      if (description == null || description.text.trim().length == 0) {
        const name = id == null ? "?" : id.text;
        if (findings.length > 0) findings += ",";
        findings += '{"rule_id": "DOC-001", "level": "warning", "message": ' + quote("severity " + name + " has no description") +
          ', "pointer": "/model/severities/' + i.toString() + '", "subject": ' + quote("severity:" + name) + "}";
      }
    }
  }
  return give('{"findings": [' + findings + "]}");
}
