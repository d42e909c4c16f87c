// otop companion plugin (format 1). Installed by `otop plugin install`; do not edit: otop
// overwrites this file on upgrade and removes it on `otop plugin uninstall`.
//
// It tells otop what the database cannot: which session this opencode process shows, and the
// live state opencode keeps in memory only (pending permissions and questions with their request
// ids, retries). It writes one small JSON file per process, `${XDG_DATA_HOME:-~/.local/share}/opencode/otop/<pid>.json`,
// atomically (temporary file, then rename), at most a few times a second, and removes it when
// opencode shuts down. It never blocks opencode: every write is deferred and every error ignored.
//
// Answers: it listens on a unix socket, `…/opencode/otop/reply/<pid>.sock`, in a directory only
// this user can enter (0700, checked to be theirs), never on a TCP port. otop sends one JSON line
// and reads one back: `{"op":"permission","session":"ses_…","request":"per_…","reply":"once"}`
// or `{"op":"question","session":…,"request":"que_…","option":2}` (or `"text":"…"`), answered
// `{"ok":true}` once opencode has published that the request was replied to, else
// `{"ok":false,"error":"…"}`. Only a request still pending here is answered, once.
// Driving a session (`otop send`, `otop interrupt`): `{"op":"prompt","session":…,"text":"…"}`
// goes to opencode's own `POST /session/{id}/prompt_async`, with the agent and model of the
// session's latest user message as the TUI would send them, answered once opencode published
// the user message holding that text; `{"op":"abort","session":…}` to `POST
// /session/{id}/abort`, answered once opencode published the session idle. `ping` lists the ops.
//
// opencode 1.18's TUI runs its server, and so its plugins, in a worker thread that is
// terminated on exit: `process.on("exit")` never fires there, the `dispose` hook does.
import {
  appendFileSync,
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import { randomBytes } from "node:crypto"
import { createServer } from "node:net"
import { homedir } from "node:os"
import { join } from "node:path"

const FORMAT = 1
const WRITE_EVERY_MS = 250
// How long an answer waits for opencode to publish that the request was replied to.
const CONFIRM_MS = 5000
// A request line is a few hundred bytes; a sun_path holds about 100.
const MAX_LINE = 64 * 1024
const MAX_SOCKET_PATH = 100

// The process's start time, Unix ms, as otop reads it: from the kernel on Linux (start ticks
// after boot, at 100 ticks a second, plus the boot time), so it tells this process from a later
// one with the same pid. `process.uptime()` counts from the runtime's start, seconds after the
// process's on a loaded machine; it is the fallback elsewhere.
const startedAt = () => {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8")
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19])
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1])
    if (Number.isFinite(ticks) && Number.isFinite(boot) && boot > 0) return boot * 1000 + ticks * 10
  } catch {}
  return Math.round(Date.now() - process.uptime() * 1000)
}

// Files of processes that are gone (a crash, a kill): removed so they do not pile up. otop
// ignores them anyway.
const sweep = (dir, ext) => {
  try {
    for (const name of readdirSync(dir)) {
      const pid = new RegExp(`^(\\d+)\\.${ext}$`).exec(name)?.[1]
      if (!pid || Number(pid) === process.pid) continue
      try {
        process.kill(Number(pid), 0)
      } catch (e) {
        if (e?.code === "ESRCH") unlinkSync(join(dir, name))
      }
    }
  } catch {}
}

// The opencode version, from the server's health endpoint. `client.global.health` is missing
// from the client 1.18 hands to plugins; its raw client has the route.
const version = async (client) => {
  const health = client?.global?.health
    ? await client.global.health()
    : await client?._client?.get?.({ url: "/global/health" })
  return health?.data?.version ?? null
}

// A directory only this user can enter: created 0700, refused unless it is a real directory
// of this user's (a symlink or someone else's directory is never used).
const privateDir = (dir) => {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const st = lstatSync(dir)
    if (!st.isDirectory() || st.uid !== process.getuid()) return false
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700)
    return (lstatSync(dir).mode & 0o077) === 0
  } catch {
    return false
  }
}

// The server routes a V1 plugin's client has no method for (1.18: `/permission/{id}/reply`,
// `/question/{id}/reply`), through its raw client.
const post = (client, url, requestID, body) => {
  const raw = client?._client ?? client?.client
  if (!raw?.post) throw new Error("this opencode gives plugins no client to answer with")
  return raw.post({ url, path: { requestID }, body, headers: { "Content-Type": "application/json" } })
}

// The session routes (1.18: `/session/{id}/prompt_async`, `/session/{id}/abort`), through the
// same raw client.
const postSession = (client, url, id, body) => {
  const raw = client?._client ?? client?.client
  if (!raw?.post) throw new Error("this opencode gives plugins no client to drive sessions with")
  return raw.post({ url, path: { id }, body, headers: { "Content-Type": "application/json" } })
}

const failure = (r) => r?.error?.message ?? r?.error?.data?.message ?? r?.error?._tag ?? JSON.stringify(r?.error)

export const OtopCompanion = async ({ client }) => {
  const base = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share")
  const dir = join(base, "opencode", "otop")
  const file = join(dir, `${process.pid}.json`)
  const state = {
    format: FORMAT,
    pid: process.pid,
    started_at: startedAt(),
    opencode_version: null,
    session_id: null,
    written_at: null,
    channel: false,
    sessions: {},
  }
  // Child (subagent) sessions: their events must never make them the process's session.
  const parentOf = new Map()
  // Pending requests per session, by request id, so a reply clears the right one.
  const permissions = new Map()
  const questions = new Map()
  // Requests being answered (no second answer), and who waits for opencode's confirmation.
  const answering = new Set()
  const confirm = new Map()
  // Per session: the agent and model of its latest user message (what a prompt is sent with),
  // the ids of its user messages, and who waits for a prompt's text or for the session idle.
  const lastUser = new Map()
  const userMessages = new Map()
  const prompted = new Set()
  const idleWaiters = new Map()
  let timer = null
  let closed = false
  let server = null
  const replyDir = join(dir, "reply")
  const socket = join(replyDir, `${process.pid}.sock`)
  // Debugging and the end-to-end suite: `OTOP_PLUGIN_TRACE=<file>` appends the type of every
  // event received, one a line. Off unless set.
  const trace = process.env.OTOP_PLUGIN_TRACE

  const write = () => {
    timer = null
    if (closed) return
    try {
      state.written_at = Date.now()
      // otop's own files, as otop writes its own: in a directory only this user enters, through
      // a new file of an unguessable name (never an existing file or a symlink), renamed over.
      if (!privateDir(dir)) return
      const tmp = join(dir, `.${process.pid}.${randomBytes(8).toString("hex")}.tmp`)
      writeFileSync(tmp, JSON.stringify(state), { flag: "wx", mode: 0o600 })
      renameSync(tmp, file)
    } catch {
      // otop is optional: never disturb opencode.
    }
  }
  const schedule = () => {
    if (timer === null && !closed) timer = setTimeout(write, WRITE_EVERY_MS)
  }
  const remove = () => {
    closed = true
    process.off("exit", remove)
    if (timer !== null) clearTimeout(timer)
    timer = null
    try {
      unlinkSync(file)
    } catch {}
    try {
      server?.close()
      unlinkSync(socket)
    } catch {}
  }
  const session = (id) => {
    state.sessions[id] ??= { status: null }
    state.sessions[id].updated_at = Date.now()
    return state.sessions[id]
  }
  const isChild = (id) => parentOf.has(id) && parentOf.get(id)
  const current = (id) => {
    if (id && !isChild(id)) state.session_id = id
  }
  const first = (map, sid) => {
    for (const [, v] of map.get(sid) ?? new Map()) return v
    return undefined
  }
  const remember = (map, sid, rid, value) => {
    if (!map.has(sid)) map.set(sid, new Map())
    map.get(sid).set(rid, value)
  }
  // `replied`: opencode took an answer (not a dismissal).
  const forget = (map, sid, rid, replied) => {
    map.get(sid)?.delete(rid)
    confirm.get(rid)?.(replied)
  }

  // One answer from otop: checked against what is pending here, sent by request id, and
  // reported done once opencode published the reply.
  // A prompt for a session: sent as the TUI sends one, confirmed by opencode's own event for
  // the user message that holds the text.
  const prompt = async (req) => {
    if (typeof req.session !== "string" || !req.session.startsWith("ses_")) return { ok: false, error: "no session id" }
    if (typeof req.text !== "string" || req.text.length === 0) return { ok: false, error: "no text" }
    const waiter = { session: req.session, text: req.text }
    const seen = new Promise((resolve) => {
      waiter.resolve = resolve
      setTimeout(() => resolve(null), CONFIRM_MS).unref?.()
    })
    prompted.add(waiter)
    try {
      const body = { parts: [{ type: "text", text: req.text }] }
      const last = lastUser.get(req.session)
      if (last?.agent) body.agent = last.agent
      if (last?.model?.providerID && last?.model?.modelID) body.model = last.model
      const r = await postSession(client, "/session/{id}/prompt_async", req.session, body)
      if (r?.error) return { ok: false, error: `opencode refused it: ${failure(r)}` }
      const id = await seen
      if (!id) return { ok: false, error: `opencode did not show the message within ${CONFIRM_MS / 1000} s` }
      return { ok: true, message: id }
    } catch (e) {
      return { ok: false, error: String(e?.message ?? e) }
    } finally {
      prompted.delete(waiter)
    }
  }

  // An abort of the session's turn, confirmed by opencode publishing the session idle.
  const abort = async (req) => {
    if (typeof req.session !== "string" || !req.session.startsWith("ses_")) return { ok: false, error: "no session id" }
    const idle = new Promise((resolve) => {
      if (!idleWaiters.has(req.session)) idleWaiters.set(req.session, new Set())
      idleWaiters.get(req.session).add(resolve)
      setTimeout(() => resolve(false), CONFIRM_MS).unref?.()
    })
    try {
      if (state.sessions[req.session]?.status === "idle") return { ok: false, error: "the session is idle: no turn to interrupt" }
      const r = await postSession(client, "/session/{id}/abort", req.session, undefined)
      if (r?.error) return { ok: false, error: `opencode refused it: ${failure(r)}` }
      if (!(await idle)) return { ok: false, error: `opencode did not show the session idle within ${CONFIRM_MS / 1000} s` }
      return { ok: true }
    } catch (e) {
      return { ok: false, error: String(e?.message ?? e) }
    }
  }
  const wentIdle = (sid) => {
    for (const resolve of idleWaiters.get(sid) ?? []) resolve(true)
    idleWaiters.delete(sid)
  }

  const answer = async (req) => {
    if (req?.op === "ping") return { ok: true, pid: process.pid, version: state.opencode_version, ops: ["permission", "question", "prompt", "abort"] }
    if (req?.op === "prompt") return prompt(req)
    if (req?.op === "abort") return abort(req)
    const map = req?.op === "permission" ? permissions : req?.op === "question" ? questions : null
    if (!map) return { ok: false, error: `unknown request ${JSON.stringify(req?.op)}` }
    const asked = map.get(req.session)?.get(req.request)
    if (!asked) return { ok: false, error: "no longer pending" }
    if (answering.has(req.request)) return { ok: false, error: "already being answered" }
    let url, body
    if (map === permissions) {
      if (!["once", "always", "reject"].includes(req.reply)) return { ok: false, error: "reply once, always or reject" }
      url = "/permission/{requestID}/reply"
      body = { reply: req.reply }
    } else {
      const qs = asked.questions ?? []
      if (qs.length !== 1 || qs[0].multiple) return { ok: false, error: "not a single question" }
      const q = qs[0]
      let label
      if (typeof req.text === "string") {
        if (q.custom === false) return { ok: false, error: "this question takes one of its options only" }
        label = req.text
      } else {
        label = q.options[req.option - 1]
        if (label === undefined) return { ok: false, error: `no option ${req.option}` }
      }
      url = "/question/{requestID}/reply"
      body = { answers: [[label]] }
    }
    answering.add(req.request)
    try {
      const replied = new Promise((resolve) => {
        confirm.set(req.request, resolve)
        setTimeout(() => resolve(false), CONFIRM_MS).unref?.()
      })
      const r = await post(client, url, req.request, body)
      if (r?.error) return { ok: false, error: `opencode refused it: ${failure(r)}` }
      if (!(await replied)) return { ok: false, error: `opencode did not confirm the answer within ${CONFIRM_MS / 1000} s (or it was dismissed meanwhile)` }
      // Written now, so otop's next read no longer shows the request.
      if (timer !== null) clearTimeout(timer)
      write()
      return { ok: true }
    } catch (e) {
      return { ok: false, error: String(e?.message ?? e) }
    } finally {
      answering.delete(req.request)
      confirm.delete(req.request)
    }
  }

  const listen = () => {
    if (Buffer.byteLength(socket) > MAX_SOCKET_PATH || !privateDir(dir) || !privateDir(replyDir)) return
    sweep(replyDir, "sock")
    try {
      if (lstatSync(socket).isSocket()) unlinkSync(socket)
    } catch {}
    server = createServer((conn) => {
      let line = ""
      conn.setTimeout(2 * CONFIRM_MS, () => conn.destroy())
      conn.on("error", () => {})
      conn.on("data", (chunk) => {
        line += chunk
        const end = line.indexOf("\n")
        if (end < 0 && line.length < MAX_LINE) return
        conn.removeAllListeners("data")
        let req
        try {
          req = JSON.parse(end < 0 ? line : line.slice(0, end))
        } catch {
          req = null
        }
        answer(req).then((res) => conn.end(`${JSON.stringify(res)}\n`))
      })
    })
    server.on("error", () => {
      state.channel = false
      schedule()
    })
    server.listen(socket, () => {
      try {
        chmodSync(socket, 0o600)
      } catch {}
      state.channel = !closed
      schedule()
    })
  }

  // Where the plugin runs in the main thread (older versions, `opencode run`), exit also ends it.
  process.on("exit", remove)
  sweep(dir, "json")
  listen()
  version(client)
    .then((v) => {
      state.opencode_version = v
      schedule()
    })
    .catch(() => {})
  schedule()

  return {
    dispose: remove,
    event: async ({ event }) => {
      if (trace) {
        try {
          appendFileSync(trace, `${event?.type}\n`)
        } catch {}
      }
      const p = event?.properties ?? {}
      switch (event?.type) {
        case "session.created":
        case "session.updated": {
          const info = p.info ?? {}
          if (info.id) parentOf.set(info.id, info.parentID ?? null)
          if (event.type === "session.created") current(info.id)
          break
        }
        case "session.status": {
          const s = session(p.sessionID)
          s.status = p.status?.type ?? null
          if (s.status === "retry") {
            s.retry = { attempt: p.status.attempt, message: p.status.message, next: p.status.next }
          } else {
            delete s.retry
          }
          if (s.status === "busy") current(p.sessionID)
          if (s.status === "idle") wentIdle(p.sessionID)
          break
        }
        case "session.idle":
          session(p.sessionID).status = "idle"
          wentIdle(p.sessionID)
          break
        case "message.part.updated": {
          // Only what a prompt waits for: the text part of a user message.
          const part = p.part ?? {}
          if (prompted.size === 0 || part.type !== "text") return
          if (!userMessages.get(part.sessionID)?.has(part.messageID)) return
          for (const w of prompted) {
            if (w.session === part.sessionID && w.text === part.text) w.resolve(part.messageID)
          }
          return
        }
        case "session.error": {
          if (!p.sessionID) return
          const e = p.error ?? {}
          session(p.sessionID).error = e.data?.message ?? e.message ?? e.name ?? "error"
          break
        }
        case "message.updated": {
          const info = p.info ?? {}
          if (info.role === "user") {
            current(info.sessionID)
            delete session(info.sessionID).error
            lastUser.set(info.sessionID, { agent: info.agent, model: info.model })
            if (!userMessages.has(info.sessionID)) userMessages.set(info.sessionID, new Set())
            const ids = userMessages.get(info.sessionID)
            ids.add(info.id)
            // Only the latest few matter (a prompt's message is the newest).
            if (ids.size > 32) ids.delete(ids.values().next().value)
          }
          break
        }
        case "permission.asked": {
          const patterns = Array.isArray(p.patterns) ? p.patterns.join(" ") : ""
          remember(permissions, p.sessionID, p.id, { id: p.id, tool: p.permission ?? "", pattern: patterns })
          session(p.sessionID).permission = first(permissions, p.sessionID)
          break
        }
        case "permission.replied": {
          forget(permissions, p.sessionID, p.requestID ?? p.permissionID, true)
          const s = session(p.sessionID)
          s.permission = first(permissions, p.sessionID)
          if (!s.permission) delete s.permission
          break
        }
        case "question.asked": {
          const asked = (Array.isArray(p.questions) ? p.questions : []).map((q) => ({
            question: String(q?.question ?? ""),
            header: q?.header ?? null,
            options: (Array.isArray(q?.options) ? q.options : []).map((o) => String(o?.label ?? "")),
            multiple: q?.multiple === true,
            custom: q?.custom !== false,
          }))
          const header = asked[0]?.header ?? asked[0]?.question ?? ""
          remember(questions, p.sessionID, p.id, { id: p.id, header, questions: asked })
          session(p.sessionID).question = first(questions, p.sessionID)
          break
        }
        case "question.replied":
        case "question.rejected": {
          forget(questions, p.sessionID, p.requestID, event.type === "question.replied")
          const s = session(p.sessionID)
          s.question = first(questions, p.sessionID)
          if (!s.question) delete s.question
          break
        }
        case "todo.updated":
          session(p.sessionID)
          break
        default:
          return
      }
      schedule()
    },
  }
}
