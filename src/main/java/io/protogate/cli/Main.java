package io.protogate.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
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
    description = "A dynamic gRPC gateway: serves and calls services described by descriptor sets.")
public final class Main {
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();
  private static final int MAX_ERROR_LENGTH = 1000;

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> subcommands = new LinkedHashMap<>();
    subcommands.put("serve", ServeCommand::new);
    subcommands.put("call", CallCommand::new);
    subcommands.put("list", ListCommand::new);
    subcommands.put("describe", DescribeCommand::new);
    subcommands.put("breaking", BreakingCommand::new);
    return subcommands;
  }

  public static void main(String[] args) {
    // One line per record: the server's start-up line must read as one line in any log.
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s - %5$s%6$s%n");
    System.exit(commandLine(args.length > 0 ? args[0] : "").execute(args));
  }

  /** The whole command line, every subcommand included. */
  static CommandLine commandLine() {
    return commandLine("");
  }

  /**
   * The command line for running {@code subcommand}: only that one is modelled when it is known,
   * because picocli reads every option of every subcommand up front, and for a one-shot {@code
   * call} that was a tenth of the JVM's whole run. Anything else (help, a typo) gets them all.
   */
  static CommandLine commandLine(String subcommand) {
    CommandLine commandLine = new CommandLine(new Main());
    SUBCOMMANDS.forEach((name, command) -> {
      if (!SUBCOMMANDS.containsKey(subcommand) || name.equals(subcommand)) {
        commandLine.addSubcommand(name, command.get());
      }
    });
    return commandLine
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(
            (e, args) -> {
              CommandLine failed = e.getCommandLine();
              String command = failed.getCommandSpec().qualifiedName();
              failed.getErr().println("protogate: " + oneLine(e.getMessage())
                  + "; see '" + command + " --help'");
              failed.getErr().flush();
              return CliException.USAGE;
            })
        .setExecutionExceptionHandler(
            (e, failed, parseResult) -> {
              failed.getErr().println("protogate: " + oneLine(e.getMessage()));
              failed.getErr().flush();
              return e instanceof CliException cli ? cli.exitCode() : CliException.NOT_SENT;
            });
  }

  /**
   * An error as one line of bounded length, whatever it quotes: a message may carry a multi-line
   * cause or echo a huge input, and a one-line error must stay one line a terminal can show.
   */
  static String oneLine(String message) {
    String line = String.valueOf(message).replaceAll("\\s*\\R\\s*", " ").strip();
    return line.length() <= MAX_ERROR_LENGTH
        ? line : line.substring(0, MAX_ERROR_LENGTH) + "... (" + line.length() + " characters)";
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"protogate " + (version == null ? "(development build)" : version)};
    }
  }
}
