; AgentDesk installer (NSIS 3, Unicode, x64). Per-user: no administrator rights, installs under
; %LOCALAPPDATA%\Programs\AgentDesk, Start-menu entry, optional desktop shortcut and start-with-Windows.
; Uninstall removes the program, its shortcuts and the start-with-Windows entry; the agent's settings, logs and
; outbox (%LOCALAPPDATA%\AgentDesk, platformdirs' user directories) stay unless the agent answers Yes to
; "also delete" (default No) or the uninstaller runs with /PURGE.
;
; Build with packaging/windows/build_installer.py (the same on Linux CI and in the Windows workflow), which passes:
;   APP_VERSION          from pyproject.toml, e.g. 0.1.0
;   APP_VERSION_NUMERIC  the same as four numbers (the version resource), e.g. 0.1.0.0
;   DIST_DIR             PyInstaller's one-folder output (AgentDesk.exe and _internal\)
;   OUT_FILE             the setup program to write
;
; Command line of the setup: /S (silent), /DESKTOP and /STARTUP (tick those options; a silent install ticks none
; otherwise), /D=<folder> (last, NSIS' own: another install folder). Of the uninstaller: /S, /PURGE.

Unicode true
Target amd64-unicode

!ifndef APP_VERSION
  !error "Pass the version: makensis -DAPP_VERSION=X.Y.Z (packaging/windows/build_installer.py does)"
!endif
!ifndef APP_VERSION_NUMERIC
  !error "Pass APP_VERSION_NUMERIC=X.Y.Z.W (packaging/windows/build_installer.py does)"
!endif
!ifndef DIST_DIR
  !error "Pass DIST_DIR, the PyInstaller one-folder bundle (packaging/windows/build_installer.py does)"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "AgentDesk-${APP_VERSION}-setup.exe"
!endif

!define APP_NAME "AgentDesk"
!define APP_EXE "AgentDesk.exe"
!define PUBLISHER "AgentDesk"
; Never change UNINSTALL_KEY: upgrades and Programs and Features find the installed copy by it.
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\AgentDesk"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
; The user's data directory of platformdirs (appname AgentDesk, appauthor False, roaming False): settings, logs
; (Logs\), the outbox. Saved passwords are in the Windows Credential Manager (keyring), never here.
!define USER_DATA_DIR "$LOCALAPPDATA\AgentDesk"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

Name "${APP_NAME} ${APP_VERSION}"
OutFile "${OUT_FILE}"
; Per-user install: no UAC prompt, nothing outside the user's profile and HKCU.
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
SetCompressor /SOLID lzma
ManifestDPIAware true
ManifestSupportedOS Win10
ShowInstDetails nevershow
ShowUninstDetails nevershow
BrandingText "${APP_NAME} ${APP_VERSION}"

; The setup's own version resource (Properties > Details).
VIProductVersion "${APP_VERSION_NUMERIC}"
VIFileVersion "${APP_VERSION_NUMERIC}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${APP_VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${APP_VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} Setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "$(Launch)"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The wizard's language follows the Windows display language: Japanese, else English.
!insertmacro MUI_LANGUAGE "Japanese"
!insertmacro MUI_LANGUAGE "English"

LangString Program ${LANG_JAPANESE} "AgentDesk 本体"
LangString Program ${LANG_ENGLISH} "AgentDesk"
LangString DesktopIcon ${LANG_JAPANESE} "デスクトップにショートカットを作成する"
LangString DesktopIcon ${LANG_ENGLISH} "Create a desktop shortcut"
LangString StartWithWindows ${LANG_JAPANESE} "Windows の起動時に AgentDesk を開始する"
LangString StartWithWindows ${LANG_ENGLISH} "Start AgentDesk when Windows starts"
LangString Launch ${LANG_JAPANESE} "AgentDesk を起動する"
LangString Launch ${LANG_ENGLISH} "Start AgentDesk"
LangString StillRunning ${LANG_JAPANESE} "AgentDesk が起動しています。AgentDesk を終了してから「再試行」を押してください。"
LangString StillRunning ${LANG_ENGLISH} "AgentDesk is running. Quit AgentDesk, then press Retry."
LangString DeleteUserData ${LANG_JAPANESE} "AgentDesk の設定、ログ、未送信データも削除しますか?$\r$\n$\r$\n「いいえ」を選ぶと、再インストール時にそのまま使えるよう残します。$\r$\n(保存されたパスワードは Windows の資格情報マネージャーに残ります。)"
LangString DeleteUserData ${LANG_ENGLISH} "Also delete AgentDesk's settings, logs and unsent data?$\r$\n$\r$\nChoose No to keep them for a later reinstall.$\r$\n(Saved passwords stay in the Windows Credential Manager.)"

Var Purge

; A running AgentDesk (window or engine) holds its files: ask the agent to quit it (a silent install fails with
; exit code 2 instead of killing a call in progress).
!macro WaitUntilClosed UN
Function ${UN}WaitUntilClosed
  retry:
    ClearErrors
    ${If} ${FileExists} "$INSTDIR\${APP_EXE}"
      FileOpen $0 "$INSTDIR\${APP_EXE}" a
      ${If} ${Errors}
        MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(StillRunning)" /SD IDCANCEL IDRETRY retry
        SetErrorLevel 2
        Quit
      ${EndIf}
      FileClose $0
    ${EndIf}
FunctionEnd
!macroend
!insertmacro WaitUntilClosed ""
!insertmacro WaitUntilClosed "un."

Section "$(Program)" SecProgram
  SectionIn RO
  SetShellVarContext current
  Call WaitUntilClosed
  ; An upgrade replaces the whole bundle: no stale module or library of the previous version survives.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${DIST_DIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}"
  ; Programs and Features (Settings > Apps): name, version, publisher, icon, size, how to uninstall.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME} ${APP_VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${APP_VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section /o "$(DesktopIcon)" SecDesktop
  SetShellVarContext current
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}"
SectionEnd

Section /o "$(StartWithWindows)" SecStartup
  ; The per-user Run key: no administrator rights needed; removed on uninstall.
  WriteRegStr HKCU "${RUN_KEY}" "${APP_NAME}" '"$INSTDIR\${APP_EXE}"'
SectionEnd

; After the sections: it names them.
Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "AgentDesk needs 64-bit Windows 10 or later." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  ; Silent installs tick the options asked for on the command line (/DESKTOP, /STARTUP).
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/DESKTOP" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecDesktop} ${SF_SELECTED}
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/STARTUP" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecStartup} ${SF_SELECTED}
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
  StrCpy $Purge 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    StrCpy $Purge 1
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Call un.WaitUntilClosed
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  DeleteRegValue HKCU "${RUN_KEY}" "${APP_NAME}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; Keep the agent's settings unless asked: /PURGE, or Yes in the dialog (default No; a silent uninstall never
  ; asks and keeps them).
  ${If} $Purge == 0
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(DeleteUserData)" /SD IDNO IDNO keep
    StrCpy $Purge 1
  ${EndIf}
  keep:
  ${If} $Purge == 1
    RMDir /r "${USER_DATA_DIR}"
  ${EndIf}
SectionEnd
