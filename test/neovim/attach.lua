-- Headless Neovim (0.7+) as an LSP client of dist/server.js: open a Python file, wait for our
-- diagnostics, ask for code actions on the first one, write what arrived as JSON, quit.
local server = os.getenv('GF_SERVER')
local file = os.getenv('GF_FILE')
local out = os.getenv('GF_OUT')

local client_id = vim.lsp.start_client({
  name = 'grpc-fork-guard',
  cmd = { 'node', server, '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
})
vim.cmd('edit ' .. vim.fn.fnameescape(file))
vim.lsp.buf_attach_client(0, client_id)

local result = { attached = client_id ~= nil, diagnostics = {}, actions = {} }
vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)

for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(result.diagnostics, { code = lsp.code or d.code, line = d.lnum, col = d.col, source = d.source })
end

local first = vim.diagnostic.get(0)[1]
if first then
  local range = {
    start = { line = first.lnum, character = first.col },
    ['end'] = { line = first.end_lnum, character = first.end_col },
  }
  local lsp = (first.user_data or {}).lsp or {}
  local diagnostic = { range = range, code = lsp.code or first.code, source = first.source, message = first.message }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    range = range,
    context = { diagnostics = { diagnostic } },
  }
  local client = vim.lsp.get_client_by_id(client_id)
  local response = client.request_sync('textDocument/codeAction', params, 10000, 0)
  for _, action in ipairs((response or {}).result or {}) do table.insert(result.actions, action.title) end
end

vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.lsp.stop_client(client_id)
vim.cmd('qa!')
