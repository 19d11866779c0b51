using Cronos;

namespace HmacPortal.Engine.Jobs;

/// <summary>Cron schedules of the recurring jobs: five fields (minute hour day month weekday), in UTC.</summary>
public static class CronSchedule
{
    public static bool IsValid(string? schedule, out string error)
    {
        error = string.Empty;
        try
        {
            CronExpression.Parse(schedule ?? string.Empty, CronFormat.Standard);
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{schedule}' is not a cron schedule such as \"*/5 * * * *\" ({ex.Message.TrimEnd('.')})";
            return false;
        }
    }
}
