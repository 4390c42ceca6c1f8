-- Drives the Neovim set-up of docs/learners.md, which ran before this file as the init.lua, in a
-- workspace made by `codegym init`, with the exercise given on the command line: the snippet must
-- have attached its codegym client; :write → test diagnostics and, without calling refresh here,
-- the code lenses; the statement header folded; `:CodeGym hint` → the feedback file shown in a split by the snippet's
-- window/showDocument handler, the cursor left in the exercise; `:CodeGym stats` after the failing
-- save → the record in a read-only scratch split that `q` closes; the solution ($GYM_SOLUTION)
-- saved, the exercise's buffer wiped, `:CodeGym stats` from an empty buffer → the record again.
-- Writes what it saw to $GYM_REPORT (JSON), then quits.
local report = { messages = {}, notices = {}, questions = {}, steps = {} }

local function finish(ok, why)
  report.ok = ok
  report.why = why
  local out = assert(io.open(assert(os.getenv("GYM_REPORT"), "GYM_REPORT is not set"), "w"))
  out:write(vim.fn.json_encode(report))
  out:close()
  vim.cmd(ok and "qall!" or "cquit!")
end

-- Record the server's messages, then show them as the default handler does.
local show_message = vim.lsp.handlers["window/showMessage"]
vim.lsp.handlers["window/showMessage"] = function(err, result, ctx, config)
  table.insert(report.messages, result.message)
  return show_message(err, result, ctx, config)
end

-- The snippet's own messages (`:CodeGym` without a server, a failed request), shown as usual.
local notify = vim.notify
vim.notify = function(message, ...)
  table.insert(report.notices, message)
  return notify(message, ...)
end

-- "Next: …?" after a pass: dismissed, as a learner may (Neovim 0.7's own handler asks with
-- inputlist(), which would wait for a key in this headless Neovim).
vim.lsp.handlers["window/showMessageRequest"] = function(_, result)
  table.insert(report.questions, result.message)
  return vim.NIL
end

local recorded = {} -- codegym/progressChanged: the statuses the server recorded
vim.lsp.handlers["codegym/progressChanged"] = function(_, result)
  table.insert(recorded, result.status)
end

local ok, err = pcall(function()
  local exercise = vim.api.nvim_get_current_buf()
  local exercise_win = vim.api.nvim_get_current_win()
  report.steps.filetype = vim.bo[exercise].filetype
  report.steps.fold = { first = vim.fn.foldclosed(4), last = vim.fn.foldclosedend(4) }

  local function codegym()
    for _, client in ipairs(vim.lsp.get_active_clients()) do
      if client.name == "codegym" and vim.lsp.buf_is_attached(exercise, client.id) then
        return client
      end
    end
  end
  assert(vim.wait(20000, function()
    local client = codegym()
    return client ~= nil and client.initialized
  end, 50), "no initialized codegym client attached to the exercise")
  local client = codegym()
  report.steps.client = {
    cmd = client.config.cmd,
    root_dir = client.config.root_dir,
    buffer_var = vim.b[exercise].codegym == client.id,
    hover_key = vim.fn.maparg("K", "n", false, true).buffer == 1,
  }

  local function test_diagnostics()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(exercise)) do
      if d.source == "codegym" then
        table.insert(found, { lnum = d.lnum, message = d.message, code = d.code })
      end
    end
    return found
  end

  -- Lenses before the first save: the snippet draws them when it attaches.
  local function lens_titles()
    local titles = {}
    for _, lens in ipairs(vim.lsp.codelens.get(exercise)) do
      if lens.command then table.insert(titles, lens.command.title) end
    end
    return titles
  end
  assert(vim.wait(10000, function() return vim.tbl_contains(lens_titles(), "not run yet") end, 50),
    "no 'not run yet' lens before the first save: " .. vim.inspect(lens_titles()))
  report.steps.lenses_before_save = lens_titles()

  vim.cmd("write")
  assert(vim.wait(30000, function() return #test_diagnostics() > 0 end, 50),
    "no codegym diagnostics after saving the starter")
  report.steps.diagnostics = test_diagnostics()

  -- The snippet refreshes the lenses when the diagnostics change: wait for the run's status.
  assert(vim.wait(10000, function()
    for _, title in ipairs(lens_titles()) do
      if title:find("public", 1, true) then return true end
    end
    return false
  end, 50), "the code lenses were not refreshed after the run: " .. vim.inspect(lens_titles()))
  report.steps.lenses = lens_titles()

  vim.cmd("CodeGym hint")
  local feedback
  assert(vim.wait(30000, function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      local buf = vim.api.nvim_win_get_buf(win)
      if vim.api.nvim_buf_get_name(buf):find("/.codegym/feedback/", 1, true) then
        feedback = buf
        return true
      end
    end
    return false
  end, 50), "the hint's feedback file was not shown")
  report.steps.feedback = {
    name = vim.api.nvim_buf_get_name(feedback),
    lines = vim.api.nvim_buf_get_lines(feedback, 0, -1, false),
    windows = #vim.api.nvim_list_wins(),
    cursor_in_exercise = vim.api.nvim_get_current_win() == exercise_win,
  }

  -- A second answer reuses the feedback window rather than opening another split.
  vim.cmd("CodeGym review")
  assert(vim.wait(30000, function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      local name = vim.api.nvim_buf_get_name(vim.api.nvim_win_get_buf(win))
      if name:find("/.codegym/feedback/py-sum-evens/review.md", 1, true) then return true end
    end
    return false
  end, 50), "the review's feedback file was not shown")
  report.steps.review = {
    windows = #vim.api.nvim_list_wins(),
    cursor_in_exercise = vim.api.nvim_get_current_win() == exercise_win,
  }

  -- :CodeGym stats after the failing save: a scratch split, the cursor in it, `q` closes it.
  local function scratch_window()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.bo[vim.api.nvim_win_get_buf(win)].buftype == "nofile" then return win end
    end
  end
  local function show_stats(step)
    local notices = #report.notices
    vim.cmd("CodeGym stats")
    local win
    vim.wait(30000, function() -- the split, or a message of the snippet instead
      win = scratch_window()
      return win ~= nil or #report.notices > notices
    end, 50)
    assert(win, ":CodeGym stats showed no scratch split (" .. step .. "): "
      .. vim.inspect(vim.list_slice(report.notices, notices + 1)))
    local buf = vim.api.nvim_win_get_buf(win)
    report.steps[step] = {
      name = vim.api.nvim_buf_get_name(buf),
      lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
      bufhidden = vim.bo[buf].bufhidden,
      modifiable = vim.bo[buf].modifiable,
      windows = #vim.api.nvim_list_wins(),
      cursor_in_stats = vim.api.nvim_get_current_win() == win,
    }
    vim.cmd("normal q")
    report.steps[step].closed = not vim.api.nvim_win_is_valid(win)
    report.steps[step].wiped = not vim.api.nvim_buf_is_valid(buf)
  end
  show_stats("stats_failing")

  -- The solution saved and recorded, then no exercise buffer left: :CodeGym stats from an empty
  -- buffer, with the client the snippet started for this folder.
  local solution = vim.fn.readfile(assert(os.getenv("GYM_SOLUTION"), "GYM_SOLUTION is not set"))
  vim.api.nvim_set_current_win(exercise_win)
  vim.api.nvim_buf_set_lines(exercise, 0, -1, false, solution)
  vim.cmd("write")
  assert(vim.wait(30000, function() return vim.tbl_contains(recorded, "solved") end, 50),
    "the solution was not recorded as solved: " .. vim.inspect(test_diagnostics()))
  vim.cmd("enew")
  vim.cmd("bwipeout " .. exercise)
  assert(vim.b.codegym == nil and not vim.api.nvim_buf_is_valid(exercise), "an exercise is open")
  show_stats("stats_solved")

  vim.lsp.stop_client(client.id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client.id) == nil end, 50)
end)
finish(ok, not ok and tostring(err) or nil)
