using Pingjia.Server.Cli;

namespace Pingjia.Server.Tests.Cli;

/// <summary>Command-line tests change process-wide state (environment, console), so they never run in parallel.</summary>
[CollectionDefinition("cli", DisableParallelization = true)]
public sealed class CliCollection;

public static class CliRunner
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Runs the real <c>pingjia</c> entry point with the given PINGJIA_ settings; returns exit code and output.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(IDictionary<string, string?> env, params string[] args)
    {
        await Gate.WaitAsync();
        var saved = env.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var o = new StringWriter();
        using var e = new StringWriter();
        try
        {
            foreach (var (k, v) in env)
            {
                Environment.SetEnvironmentVariable(k, v);
            }

            Console.SetOut(o);
            Console.SetError(e);
            var exit = await PingjiaCli.RunAsync(args);
            return (exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            foreach (var (k, v) in saved)
            {
                Environment.SetEnvironmentVariable(k, v);
            }

            Gate.Release();
        }
    }

    public static Dictionary<string, string?> EnvFor(Infrastructure.PingjiaFactory factory) => new()
    {
        ["PINGJIA_DB_PROVIDER"] = factory.Provider,
        ["PINGJIA_DB_CONNECTION"] = factory.ConnectionString,
    };
}
