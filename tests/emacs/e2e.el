;;; e2e.el --- A real Emacs with eglot against `codegym serve'  -*- lexical-binding: t -*-

;; Run as `emacs --batch -Q -l tests/emacs/e2e.el' (tests/test_eglot.py does).  Loads the Emacs
;; set-up of docs/learners.md ($GYM_SNIPPET), points it at $GYM_PYTHON, opens an exercise of
;; an existing exercises folder: eglot starts the server; save the starter → Flymake diagnostics;
;; a hover and the code actions on the failing line; the hint and review commands (the tutor
;; offline); replace the code with the solution, save → the diagnostics are cleared.
;;
;; Inputs (environment): GYM_FILE (the exercise, in a folder made by `codegym init'),
;; GYM_SOLUTION (the solved file's text), GYM_REPORT (where the JSON report goes), GYM_PYTHON (an
;; interpreter with Code Gym), GYM_BACKEND (the sandbox backend), GYM_SNIPPET (the set-up to
;; load), GYM_PROJECT_HOOK (0: without the set-up's `codegym-project', eglot's own project root).
;; Each step waits a bounded time; what it saw goes into the report's "steps", a step that
;; failed into "errors" (the next steps still run when they can), eglot's events buffer (every
;; JSON-RPC message) into "events".  Exits 0 when every step completed, 1 otherwise.
;; With GYM_PROBE=1 it only loads eglot and exits: 0, or 3 if eglot cannot be loaded.

(require 'cl-lib)
(require 'json)
(require 'package)
(require 'subr-x)

(defun gym-load-eglot ()
  "Load eglot: built in (Emacs 29+), else from the package directories (Debian's elpa-eglot
installs it in /usr/share/emacs/site-lisp/elpa, which `-Q' leaves out)."
  (or (require 'eglot nil t)
      (let ((debian "/usr/share/emacs/site-lisp/elpa"))
        (when (file-directory-p debian)
          (add-to-list 'package-directory-list debian))
        (package-initialize)
        (require 'eglot nil t))))

(unless (gym-load-eglot)
  (princ "eglot cannot be loaded (install elpa-eglot, or eglot from GNU ELPA)\n"
         #'external-debugging-output)
  (kill-emacs 3))

(when (equal (getenv "GYM_PROBE") "1")
  (princ (format "GNU Emacs %s, eglot from %s\n" emacs-version (locate-library "eglot")))
  (kill-emacs 0))

(defvar gym-report (make-hash-table :test 'equal))
(defvar gym-steps (make-hash-table :test 'equal))
(defvar gym-messages nil "window/showMessage notifications, newest first.")
(defvar gym-requests nil "Requests from the server, newest first.")
(defvar gym-errors nil "Steps that failed, newest first.")
(defvar gym-server nil)
(defvar gym-finished nil)
(puthash "steps" gym-steps gym-report)

(defun gym-env (name)
  (or (getenv name) (error "%s is not set" name)))

(defun gym-step (name value)
  (puthash name value gym-steps))

(defun gym-fail (step what)
  (push (list :step step :error what) gym-errors)
  (princ (format "e2e: %s: %s\n" step what) #'external-debugging-output))

(defun gym-wait (seconds predicate)
  "Process output and timers until PREDICATE is non-nil (its value) or SECONDS pass (nil)."
  (let ((deadline (+ (float-time) seconds))
        done)
    (while (and (not (setq done (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    done))

(defun gym-buffer-text (buffer limit)
  "The last LIMIT characters of BUFFER, or nil."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (buffer-substring-no-properties (max (point-min) (- (point-max) limit)) (point-max)))))

(defun gym-eglot-buffer (kind)
  "eglot's \"events\" or \"stderr\" buffer, `*EGLOT (PROJECT/MODES) KIND*'."
  (cl-find-if (lambda (b) (string-match-p (format "\\`\\*EGLOT .*%s\\*\\'" kind) (buffer-name b)))
              (buffer-list)))

(defun gym-finish (why)
  (unless gym-finished
    (setq gym-finished t)
    (let ((ok (and (null why) (null gym-errors))))
      (puthash "ok" (if ok t :json-false) gym-report)
      (puthash "why" why gym-report)
      (puthash "errors" (vconcat (reverse gym-errors)) gym-report)
      (puthash "messages" (vconcat (reverse gym-messages)) gym-report)
      (puthash "requests" (vconcat (reverse gym-requests)) gym-report)
      ;; Every JSON-RPC message, and what the server wrote to stderr (also when it died).
      (puthash "events" (gym-buffer-text (gym-eglot-buffer "events") 400000) gym-report)
      (puthash "stderr" (gym-buffer-text (gym-eglot-buffer "stderr") 20000) gym-report)
      (when gym-server
        (when (jsonrpc-running-p gym-server)
          (condition-case err
              (eglot-shutdown gym-server nil 5 'preserve-buffers)
            (error (puthash "shutdown" (error-message-string err) gym-report)))))
      (let ((coding-system-for-write 'utf-8))
        (with-temp-file (gym-env "GYM_REPORT")
          (insert (json-encode gym-report))))
      (kill-emacs (if ok 0 1)))))

;; What eglot receives, recorded before eglot handles it as usual.
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (when (eq method 'window/showMessage)
                (push (list :type (plist-get params :type) :message (plist-get params :message))
                      gym-messages))))
(advice-add 'eglot-handle-request :before
            (lambda (_server method &rest params)
              (push (list :method (symbol-name method) :params params) gym-requests)))

(defun gym-lsp-diagnostic (diagnostic)
  (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data diagnostic))))

(defun gym-diagnostics (&optional source)
  "The buffer's Flymake diagnostics from eglot (of SOURCE only, if given), by position."
  (vconcat
   (cl-loop for d in (sort (flymake-diagnostics)
                           (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))
            for lsp = (gym-lsp-diagnostic d)
            when (and lsp (or (null source) (equal source (plist-get lsp :source))))
            collect (list :lnum (1- (line-number-at-pos (flymake-diagnostic-beg d) t))
                          :message (plist-get lsp :message)
                          :source (plist-get lsp :source)
                          :severity (plist-get lsp :severity)
                          :flymake (flymake-diagnostic-text d)))))

(defun gym-request (method params timeout)
  "The result of METHOD, or (:error MESSAGE) if it failed or did not answer in TIMEOUT s."
  (condition-case err
      (list :result (jsonrpc-request gym-server method params :timeout timeout))
    (jsonrpc-error (list :error (format "%S" (cdr err))))))

(defun gym-command (name timeout)
  "Run the server's command NAME on the exercise, as `workspace/executeCommand'."
  (let* ((uri (plist-get (eglot--TextDocumentIdentifier) :uri))
         (answer (gym-request :workspace/executeCommand
                              (list :command name :arguments (vector uri))
                              timeout)))
    (when (plist-get answer :error)
      (gym-fail name (plist-get answer :error)))
    (plist-get answer :result)))

(defun gym-tests-passed-p ()
  (cl-some (lambda (m) (string-search "tests pass" (or (plist-get m :message) ""))) gym-messages))

(defun gym-run ()
  (load (gym-env "GYM_SNIPPET") nil t)
  ;; The set-up of the guide, with this checkout's interpreter and the test's settings.
  (setq codegym-server-command (list (gym-env "GYM_PYTHON") "-m" "codegym.cli" "serve"))
  (setq codegym-initialization-options
        `(:sandbox (:backend ,(gym-env "GYM_BACKEND"))
          ;; Nothing listens there: the tutor answers offline, with the authored hints.
          :tutor (:host "http://127.0.0.1:9")))
  ;; GYM_PROJECT_HOOK=0: plain eglot's project (the git repository, else the file's folder).
  (when (equal (getenv "GYM_PROJECT_HOOK") "0")
    (remove-hook 'project-find-functions #'codegym-project))

  ;; a. Open the exercise.  `eglot-ensure' connects after the command that opened the file,
  ;; from `post-command-hook', which no command loop runs in batch mode: run it here.
  (find-file (gym-env "GYM_FILE"))
  (run-hooks 'post-command-hook)
  (unless (gym-wait 60 (lambda () (and (bound-and-true-p eglot--managed-mode)
                                       (setq gym-server (eglot-current-server)))))
    (error "eglot did not connect to the server"))
  (gym-step "connected"
            (list :root (directory-file-name (expand-file-name
                                              (project-root (eglot--project gym-server))))
                  :server (jsonrpc-name gym-server)
                  :major_mode (symbol-name major-mode)
                  :flymake (if (bound-and-true-p flymake-mode) t :json-false)
                  :capabilities (eglot--capabilities gym-server)))

  ;; b. Save the starter (Emacs saves only a modified buffer: add a blank line at the end).
  (goto-char (point-max))
  (insert "\n")
  (save-buffer)
  (if (gym-wait 60 (lambda () (> (length (gym-diagnostics "codegym")) 0)))
      (gym-step "starter" (gym-diagnostics))
    (gym-step "starter" (gym-diagnostics))
    (gym-fail "starter" "no test diagnostics within 60 s of saving the starter"))

  (let* ((failure (seq-find (lambda (d) (equal (plist-get (gym-lsp-diagnostic d) :source)
                                               "codegym"))
                            (flymake-diagnostics))))
    (when failure
      (goto-char (flymake-diagnostic-beg failure))
      ;; c. Hover on the failing line, as eldoc asks for it.
      (let ((hover (gym-request :textDocument/hover (eglot--TextDocumentPositionParams) 10)))
        (if (plist-get hover :error)
            (gym-fail "hover" (plist-get hover :error))
          (let ((contents (plist-get (plist-get hover :result) :contents)))
            (gym-step "hover"
                      (list :contents contents
                            :text (and contents (eglot--hover-info contents)))))))
      ;; d. The code actions of the line, as `M-x eglot-code-actions' lists them.
      (condition-case err
          (let ((actions (eglot-code-actions (line-beginning-position) (line-end-position))))
            (gym-step "actions" (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
            (gym-step "action_details" (vconcat actions)))
        (error (gym-fail "actions" (error-message-string err))))))

  ;; e. The hint, f. the review: commands of the server, run on the exercise.
  (gym-step "hint" (gym-command "codegym.hint" 30))
  (gym-step "review" (gym-command "codegym.review" 30))
  (gym-step "after_review" (gym-diagnostics))

  ;; g. The solution, saved: the diagnostics are cleared and a message says the tests pass.
  (erase-buffer)
  (insert-file-contents (gym-env "GYM_SOLUTION"))
  (save-buffer)
  (unless (gym-wait 60 (lambda () (and (= (length (gym-diagnostics "codegym")) 0)
                                       (gym-tests-passed-p))))
    (gym-fail "solution" "the test diagnostics were not cleared, or no \"tests pass\" message"))
  (gym-step "solution" (gym-diagnostics)))

(run-at-time 170 nil (lambda () (gym-finish "watchdog: still running after 170 s")))
(condition-case err
    (progn (gym-run) (gym-finish nil))
  (error (gym-finish (error-message-string err))))

;;; e2e.el ends here
