-- Drives a real headless Neovim (0.7+) against `codegym serve`, from an empty folder: the server
-- offers to create the exercises (accepted), then open one, :write it → test diagnostics; the
-- "Hint 1/3" quick fix (the tutor offline) → its feedback document is shown; replace the code with
-- the solution, :write → cleared, and the question "Next: <title>" (accepted) opens the next
-- exercise in a split; then the next exercise again, by command, with the reason in a message.
-- Reads its inputs from the environment, writes what it saw to $GYM_REPORT (JSON), then quits.
local function env(name)
  local value = os.getenv(name)
  assert(value, name .. " is not set")
  return value
end
local report = { messages = {}, questions = {}, steps = {} }

local function finish(ok, why)
  report.ok = ok
  report.why = why
  local out = io.open(env("GYM_REPORT"), "w")
  out:write(vim.fn.json_encode(report))
  out:close()
  vim.cmd(ok and "qall!" or "cquit!")
end

local function guarded(fn)
  local ok, err = pcall(fn)
  if not ok then finish(false, tostring(err)) end
end

guarded(function()
  local client_id = vim.lsp.start_client({
    name = "codegym",
    cmd = { env("GYM_PYTHON"), "-m", "codegym.cli", "serve" },
    root_dir = env("GYM_ROOT"),
    capabilities = (function()
      -- It handles window/showDocument below, so it says so: the server asks only those that do.
      local capabilities = vim.lsp.protocol.make_client_capabilities()
      capabilities.window = capabilities.window or {}
      capabilities.window.showDocument = { support = true }
      return capabilities
    end)(),
    init_options = {
      sandbox = { backend = env("GYM_BACKEND") },
      tutor = { host = "http://127.0.0.1:9" }, -- nothing listens: the tutor answers offline
    },
    handlers = {
      ["window/showMessage"] = function(_, result)
        table.insert(report.messages, result.message)
      end,
      ["codegym/progressChanged"] = function(_, result)
        report.status = result.status
      end,
      -- Neovim 0.7 has no handler for window/showDocument: the one from the README.
      ["window/showDocument"] = function(_, result)
        vim.cmd("split " .. vim.fn.fnameescape(vim.uri_to_fname(result.uri)))
        return { success = true }
      end,
      -- What a learner answers when asked whether to create the exercises here, and whether
      -- to open the next exercise: the first action. (Neovim's own handler asks with
      -- inputlist(), which would wait for a key in this headless Neovim.)
      ["window/showMessageRequest"] = function(_, result)
        table.insert(report.questions, result.message)
        report.offer = report.offer or result.message
        return result.actions[1]
      end,
    },
  })
  assert(client_id, "the language server did not start")
  assert(vim.wait(30000, function() return vim.fn.filereadable(env("GYM_FILE")) == 1 end, 50),
    "the exercises were not created")
  vim.cmd("edit " .. vim.fn.fnameescape(env("GYM_FILE")))
  vim.lsp.buf_attach_client(0, client_id)
  assert(vim.wait(20000, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized
  end, 50), "the server did not initialize")

  local exercise_buf = vim.api.nvim_get_current_buf()
  local function test_diagnostics()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(exercise_buf)) do
      if d.source == "codegym" then table.insert(found, { lnum = d.lnum, message = d.message }) end
    end
    return found
  end

  vim.cmd("write")
  assert(vim.wait(60000, function() return #test_diagnostics() > 0 end, 50),
    "no test diagnostics after saving the starter")
  report.steps.starter = test_diagnostics()

  -- The quick fixes on the failure, as `vim.lsp.buf.code_action()` would list them.
  local failure = vim.diagnostic.get(0)[1]
  local params = vim.lsp.util.make_range_params()
  params.range.start.line = failure.lnum
  params.range["end"].line = failure.lnum
  params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(0, failure.lnum) }
  local answers = vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 10000)
  local hint
  report.steps.actions = {}
  for _, answer in pairs(answers or {}) do
    for _, action in ipairs(answer.result or {}) do
      table.insert(report.steps.actions, action.title)
      if action.title == "Hint 1/3" then hint = action.command end
    end
  end
  assert(hint, "no Hint quick fix")
  local client = vim.lsp.get_client_by_id(client_id)
  local done = client.request_sync("workspace/executeCommand", hint, 30000, exercise_buf)
  assert(done and done.result, "the hint command failed: " .. vim.inspect(done))
  report.steps.hint = done.result
  -- The showDocument handler above opened the feedback document in a split.
  local shown = vim.api.nvim_get_current_buf()
  report.steps.shown = {
    name = vim.api.nvim_buf_get_name(shown),
    lines = vim.api.nvim_buf_get_lines(shown, 0, -1, false),
  }
  vim.cmd("close")
  assert(vim.api.nvim_get_current_buf() == exercise_buf, "not back in the exercise")

  local solved = vim.fn.readfile(env("GYM_SOLUTION"))
  vim.api.nvim_buf_set_lines(0, 0, -1, false, solved)
  vim.cmd("write")
  local exercise_name = vim.api.nvim_buf_get_name(exercise_buf)
  local function next_shown()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      local name = vim.api.nvim_buf_get_name(vim.api.nvim_win_get_buf(win))
      if name ~= exercise_name and name:find(env("GYM_ROOT"), 1, true) == 1 then return name end
    end
  end
  assert(vim.wait(60000, function()
    return #test_diagnostics() == 0 and #report.questions == 2 and next_shown() ~= nil
  end, 50), "after saving the solution: diagnostics not cleared, no question, or nothing opened")
  report.steps.solution = test_diagnostics()
  report.steps.offered = next_shown()

  -- Solved (and recorded): the next exercise, as a learner's mapping for
  -- `vim.lsp.buf.execute_command({ command = "codegym.nextExercise" })` asks for it.
  assert(vim.wait(30000, function() return report.status == "solved" end, 50), "not recorded")
  local following = { command = "codegym.nextExercise", arguments = {} }
  local chosen = client.request_sync("workspace/executeCommand", following, 30000, exercise_buf)
  assert(chosen and chosen.result, "the next exercise command failed: " .. vim.inspect(chosen))
  report.steps.next = vim.api.nvim_buf_get_name(vim.api.nvim_get_current_buf())
  vim.lsp.stop_client(client_id)
  vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  finish(true, nil)
end)
