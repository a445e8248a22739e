; Outpost EHR — per-machine Windows installer (Inno Setup 6).  UNTESTED on this platform: it
; is built and exercised only by .github/workflows/installers.yml on a Windows runner.
;
; Build: installer\build-bundle.sh (PyInstaller, gives dist\outpost\), then
;        iscc /DAppVersion=0.1.0 installer\windows\outpost.iss   -> dist\outpost-0.1.0-setup.exe
;
; Silent fleet install (writes %ProgramData%\Outpost\config.toml from the parameters):
;   outpost-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART ^
;     /SERVERURL=https://fhir.example.org/fhir /CLINIC="Riverside" /LOCATION="Main Street" ^
;     /MFA=required /IDLELOCK=5 /UPDATECHANNEL=stable /LOCKED=server_url,mfa,idle_lock_minutes ^
;     /DATADIR="D:\Outpost\data"
; With none of them on an upgrade, the existing config.toml is kept. The clinic's store is
; never touched by the installer; the new version backs it up and migrates it when it opens it.
;
; Uninstall keeps the configuration and the clinic's data; to delete the data too:
;   "C:\Program Files\Outpost EHR\unins000.exe" /VERYSILENT /PURGEDATA=yes

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define SrcRoot ".."

[Setup]
AppId={{6E3C8C0B-7D1E-4F3A-9E25-0C6B8F6A0E11}
AppName=Outpost EHR
AppVersion={#AppVersion}
AppPublisher=Outpost EHR maintainers
DefaultDirName={autopf}\Outpost EHR
DefaultGroupName=Outpost EHR
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#SrcRoot}\..\dist
OutputBaseFilename=outpost-{#AppVersion}-setup
SetupIconFile={#SrcRoot}\..\resources\icons\outpost.ico
UninstallDisplayIcon={app}\outpost.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
MinVersion=10.0

[Dirs]
Name: "{commonappdata}\Outpost"; Flags: uninsneveruninstall
Name: "{code:DataDir}"; Permissions: users-modify; Flags: uninsneveruninstall

[Files]
Source: "{#SrcRoot}\..\dist\outpost\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#SrcRoot}\config.example.toml"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{group}\Outpost EHR"; Filename: "{app}\outpost.exe"
Name: "{commondesktop}\Outpost EHR"; Filename: "{app}\outpost.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\outpost.exe"; Parameters: "--version"; Flags: runhidden waituntilterminated

[Code]
const
  ConfigName = 'config.toml';

function ConfigPath: String;
begin
  Result := ExpandConstant('{commonappdata}\Outpost\') + ConfigName;
end;

function DataDir(Param: String): String;
begin
  Result := ExpandConstant('{param:DATADIR|{commonappdata}\Outpost\data}');
end;

function TomlString(Value: String): String;
begin
  StringChangeEx(Value, '\', '\\', True);
  StringChangeEx(Value, '"', '\"', True);
  Result := '"' + Value + '"';
end;

function AnyParameterGiven: Boolean;
begin
  Result := (ExpandConstant('{param:SERVERURL|}') <> '') or (ExpandConstant('{param:CLINIC|}') <> '') or
            (ExpandConstant('{param:LOCATION|}') <> '') or (ExpandConstant('{param:DATADIR|}') <> '') or
            (ExpandConstant('{param:IDLELOCK|}') <> '') or (ExpandConstant('{param:MFA|}') <> '') or
            (ExpandConstant('{param:UPDATECHANNEL|}') <> '') or (ExpandConstant('{param:LOCKED|}') <> '');
end;

function LockedList(Value: String): String;
var
  Item: String;
  P: Integer;
begin
  Result := '';
  while Value <> '' do
  begin
    P := Pos(',', Value);
    if P = 0 then begin Item := Trim(Value); Value := ''; end
    else begin Item := Trim(Copy(Value, 1, P - 1)); Delete(Value, 1, P); end;
    if Item <> '' then
    begin
      if Result <> '' then Result := Result + ', ';
      Result := Result + '"' + Item + '"';
    end;
  end;
  Result := '[' + Result + ']';
end;

function ConfigText: String;
var
  S: String;
begin
  S := '# Written by the Outpost EHR installer; see config.example.toml in the program folder.' + #13#10;
  if ExpandConstant('{param:SERVERURL|}') <> '' then
    S := S + 'server_url = ' + TomlString(ExpandConstant('{param:SERVERURL}')) + #13#10;
  if ExpandConstant('{param:CLINIC|}') <> '' then
    S := S + 'clinic = ' + TomlString(ExpandConstant('{param:CLINIC}')) + #13#10;
  if ExpandConstant('{param:LOCATION|}') <> '' then
    S := S + 'location = ' + TomlString(ExpandConstant('{param:LOCATION}')) + #13#10;
  S := S + 'data_dir = ' + TomlString(DataDir('')) + #13#10;
  if ExpandConstant('{param:IDLELOCK|}') <> '' then
    S := S + 'idle_lock_minutes = ' + ExpandConstant('{param:IDLELOCK}') + #13#10;
  if ExpandConstant('{param:MFA|}') <> '' then
    S := S + 'mfa = ' + TomlString(ExpandConstant('{param:MFA}')) + #13#10;
  if ExpandConstant('{param:UPDATECHANNEL|}') <> '' then
    S := S + 'update_channel = ' + TomlString(ExpandConstant('{param:UPDATECHANNEL}')) + #13#10;
  if ExpandConstant('{param:LOCKED|}') <> '' then
    S := S + 'locked = ' + LockedList(ExpandConstant('{param:LOCKED}')) + #13#10;
  Result := S;
end;

procedure WriteManagedConfig;
var
  Tmp: String;
  Code: Integer;
begin
  if FileExists(ConfigPath) and not AnyParameterGiven then
    exit; { an upgrade without parameters keeps the file IT already has }
  Tmp := ConfigPath + '.new';
  if not SaveStringToFile(Tmp, ConfigText, False) then
    RaiseException('cannot write ' + Tmp);
  { Check it with the program itself: a bad parameter is refused, naming it. }
  if not Exec(ExpandConstant('{app}\outpost.exe'), 'config show --file "' + Tmp + '"', '',
              SW_HIDE, ewWaitUntilTerminated, Code) or (Code <> 0) then
  begin
    DeleteFile(Tmp);
    RaiseException('the installation parameters are not valid (run "outpost config show --file" on them to see which); '
                   + ConfigPath + ' was not changed');
  end;
  DeleteFile(ConfigPath);
  RenameFile(Tmp, ConfigPath);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
    WriteManagedConfig;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Data: String;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if LowerCase(ExpandConstant('{param:PURGEDATA|no}')) = 'yes' then
  begin
    Data := ExpandConstant('{param:DATADIR|{commonappdata}\Outpost\data}');
    DelTree(Data, True, True, True);
    DeleteFile(ConfigPath);
    RemoveDir(ExpandConstant('{commonappdata}\Outpost'));
  end;
end;
