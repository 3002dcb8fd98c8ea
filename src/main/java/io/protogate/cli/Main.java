package io.protogate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code protogate} command: one executable jar whose subcommands are the whole command-line
 * interface. Usage errors exit 2; a failure the user can fix prints one line, no stack trace.
 */
@Command(
    name = "protogate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A dynamic gRPC gateway: serves and calls services described by descriptor sets.",
    subcommands = {
      ServeCommand.class, CallCommand.class, ListCommand.class, DescribeCommand.class})
public final class Main {
  public static void main(String[] args) {
    // One line per record: the server's start-up line must read as one line in any log.
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s - %5$s%6$s%n");
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(
            (e, commandLine, parseResult) -> {
              commandLine.getErr().println("protogate: " + e.getMessage());
              commandLine.getErr().flush();
              return e instanceof CliException cli ? cli.exitCode() : CliException.NOT_SENT;
            });
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"protogate " + (version == null ? "(development build)" : version)};
    }
  }
}
