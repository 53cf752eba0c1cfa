using Pingjia.Server.Cli;

return await PingjiaCli.RunAsync(args);

/// <summary>The entry point; public so that integration tests can host it.</summary>
public partial class Program;
