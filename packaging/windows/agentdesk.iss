; AgentDesk installer (Inno Setup 6). Per-user: no administrator rights, installs under
; %LOCALAPPDATA%\Programs\AgentDesk, Start-menu entry, optional desktop shortcut and start-with-Windows.
; Uninstall removes the program and its shortcuts; the agent's settings, logs and outbox
; (%LOCALAPPDATA%\AgentDesk, platformdirs' user directories) stay unless the agent ticks "also delete"
; or the uninstaller runs with /PURGE.
;
; Build (packaging/README.md; the CI workflow .github/workflows/windows-build.yml does the same):
;   iscc /DAppVersion=0.1.0 /DDistDir=..\..\dist\AgentDesk /O..\..\dist packaging\windows\agentdesk.iss
; AppVersion comes from pyproject.toml (the workflow reads it); DistDir is PyInstaller's one-folder output.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (from pyproject.toml)
#endif
#ifndef DistDir
  #define DistDir "..\..\dist\AgentDesk"
#endif
#define AppName "AgentDesk"
#define AppExe "AgentDesk.exe"
#define AppPublisher "AgentDesk"
; The user's data directory of platformdirs (appname AgentDesk, appauthor False, roaming False).
#define UserDataDir "{localappdata}\AgentDesk"

[Setup]
; Never change AppId: upgrades find the installed copy by it.
AppId={{6B0B7A52-3C1E-4C57-9B8E-0A1D2D5E4A11}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductVersion={#AppVersion}
VersionInfoDescription={#AppName} Setup
; Per-user install: no UAC prompt. {autopf} is %LOCALAPPDATA%\Programs in this mode.
PrivilegesRequired=lowest
; IT can still deploy for all users with /ALLUSERS (that needs administrator rights).
PrivilegesRequiredOverridesAllowed=commandline
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsedUserAreasWarning=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Programs and Features: name, version, icon, publisher, size.
UninstallDisplayName={#AppName} {#AppVersion}
UninstallDisplayIcon={app}\{#AppExe}
; A running AgentDesk (UI or engine) holds its files: close it through the Restart Manager.
CloseApplications=yes
RestartApplications=no
OutputBaseFilename=AgentDesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
japanese.DesktopIcon=デスクトップにショートカットを作成する
english.DesktopIcon=Create a desktop shortcut
japanese.StartWithWindows=Windows の起動時に AgentDesk を開始する
english.StartWithWindows=Start AgentDesk when Windows starts
japanese.Shortcuts=ショートカット:
english.Shortcuts=Shortcuts:
japanese.Launch=AgentDesk を起動する
english.Launch=Start AgentDesk
japanese.DeleteUserData=AgentDesk の設定、ログ、未送信データも削除しますか?%n%n「いいえ」を選ぶと、再インストール時にそのまま使えるよう残します。%n(保存されたパスワードは Windows の資格情報マネージャーに残ります。)
english.DeleteUserData=Also delete AgentDesk's settings, logs and unsent data?%n%nChoose No to keep them for a later reinstall.%n(Saved passwords stay in the Windows Credential Manager.)

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:Shortcuts}"; Flags: unchecked
Name: "startup"; Description: "{cm:StartWithWindows}"; GroupDescription: "{cm:Shortcuts}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: no stale module or library of the previous version survives.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
; Start with Windows: the per-user Run key (no administrator rights needed); removed on uninstall.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; \
  ValueData: """{app}\{#AppExe}"""; Flags: uninsdeletevalue; Tasks: startup

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:Launch}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Files the app may create beside itself (none by design; this keeps the folder from lingering).
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"

[Code]
function CommandLineHasPurge(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/PURGE') = 0 then
      Result := True;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Purge: Boolean;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    { Keep the agent's settings unless asked: /PURGE on the command line, or Yes in the dialog
      (the dialog's default is No; a silent uninstall never asks and keeps them). }
    Purge := CommandLineHasPurge();
    if (not Purge) and (not UninstallSilent) then
      Purge := MsgBox(CustomMessage('DeleteUserData'), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
    if Purge then
      DelTree(ExpandConstant('{#UserDataDir}'), True, True, True);
  end;
end;
