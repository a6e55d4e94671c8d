package io.vigil.incident;

/**
 * Marks an alert output that reaches people (Alertmanager, webhooks): the job feeds it the alerts as the incident
 * stage took them ({@link IncidentCorrelator#GROUPED_ALERTS}), each naming its incident ({@code Alert#incident}), so
 * what on-call people receive can be grouped per incident. Those alerts leave the incident stage once the watermark
 * has passed them, in event-time order per group key; other outputs get every alert as soon as it is marked.
 */
public interface GroupedByIncident {}
